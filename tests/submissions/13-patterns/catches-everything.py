# A student who retries whatever goes wrong:
# - Retries on anything with a bare except: NotFound is retried, and the CancelledError that timeout() uses to stop
#   a request in progress is caught too, so the retries go on past the deadline.
# - Retries NotFound like a ConnectionError: a missing page is requested `attempts` times, with waits between, and
#   then reported as failed.
# expect ex13_2_backs_off 0
# expect ex13_2_stops_at_the_deadline 0
# expect ex13_4_retries 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout(timeout):
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except:
                if attempt == attempts:
                    raise
            await asyncio.sleep(backoff(attempt, base, rng))
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
            except (ConnectionError, NotFound):
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
