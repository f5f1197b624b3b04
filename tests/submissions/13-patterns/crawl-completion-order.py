# Collects the results in the order the pages finished (and the unfinished ones last): the same crawl can give
# another order on another run or another network.
# expect ex13_4_every_page_once_in_order 0
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    found = set()
    results = []

    async def visit(url, group):
        limit = limits.setdefault(host_of(url), asyncio.Semaphore(per_host))
        for attempt in range(1, attempts + 1):
            try:
                async with limit:
                    links = await web.get(url)
            except NotFound:
                results.append((url, "not found"))
                return
            except ConnectionError:
                if attempt == attempts:
                    results.append((url, "failed"))
                    return
                await asyncio.sleep(backoff(attempt, base, rng))
            else:
                results.append((url, "ok"))
                for link in links:
                    if link not in found:
                        found.add(link)
                        group.create_task(visit(link, group))
                return

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    found.add(url)
                    group.create_task(visit(url, group))
    except TimeoutError:
        pass
    done = {url for url, _ in results}
    return results + [(url, "timed out") for url in found if url not in done]
