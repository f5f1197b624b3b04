# Makes a new Semaphore(per_host) in every visit: each request has a limit of its own, nobody else waits
# on it, and a host gets every request at once.
# expect ex13_4_per_host_limit 0
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    status = {}

    async def visit(url, group):
        limit = asyncio.Semaphore(per_host)
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
                    found(link, group)
                return

    def found(url, group):
        if url not in status:
            status[url] = "timed out"
            group.create_task(visit(url, group))

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    found(url, group)
    except TimeoutError:
        pass
    return sorted(status.items())
