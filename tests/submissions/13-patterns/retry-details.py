# A student whose retry loops get one detail wrong each:
# - Checks the deadline itself between attempts: a request (or a wait) in progress when time is up is not
#   interrupted, so the TimeoutError comes late.
# - Makes a new random.Random(seed) for every wait: each backoff draws the same first number, so the jitter is the
#   same for every retry of every client, which is what jitter is there to avoid.
# expect ex13_2_stops_at_the_deadline 0
# expect ex13_4_retries 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for attempt in range(1, attempts + 1):
        if loop.time() >= deadline:
            raise TimeoutError(f"gave up on {url}")
        try:
            return await web.get(url)
        except ConnectionError:
            if attempt == attempts:
                raise
            await asyncio.sleep(backoff(attempt, base, rng))
    raise TimeoutError(f"gave up on {url}")
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
                await asyncio.sleep(backoff(attempt, base, random.Random(seed)))
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
