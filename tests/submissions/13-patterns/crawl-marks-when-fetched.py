# Marks a url as seen only once its page has been fetched: a link found again while that page is still being
# fetched starts a second request for it; and pages found but never finished are missing from the result.
# expect ex13_4_every_page_once_in_order 0
# expect ex13_4_deadline 0
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    status = {}

    async def visit(url, group):
        limit = limits.setdefault(host_of(url), asyncio.Semaphore(per_host))
        for attempt in range(1, attempts + 1):
            try:
                async with limit:
                    links = await web.get(url)
            except NotFound:
                status[url] = "not found"
                return
            except ConnectionError:
                if attempt == attempts:
                    status[url] = "failed"
                    return
                await asyncio.sleep(backoff(attempt, base, rng))
            else:
                status[url] = "ok"
                for link in links:
                    if link not in status:
                        group.create_task(visit(link, group))
                return

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    group.create_task(visit(url, group))
    except TimeoutError:
        pass
    return sorted(status.items())
