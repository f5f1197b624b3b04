# Gives every request the deadline as its own timeout (and calls a page that runs out 'timed out') instead of
# putting one deadline on the whole crawl: the crawl goes on past its deadline.
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
                    links = await asyncio.wait_for(web.get(url), deadline)
            except TimeoutError:
                return
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
                    found(link, group)
                return

    def found(url, group):
        if url not in status:
            status[url] = "timed out"
            group.create_task(visit(url, group))

    async with asyncio.TaskGroup() as group:
        for url in start:
            found(url, group)
    return sorted(status.items())
