# Checks the deadline itself between attempts: a request (or a wait) in progress when time is up is not
# interrupted, so the TimeoutError comes late.
# expect ex13_2_stops_at_the_deadline 0
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
