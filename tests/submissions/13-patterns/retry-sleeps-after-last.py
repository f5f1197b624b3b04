# Waits after every failure, the last one included, and only then gives up: the caller gets the error one
# (long) backoff later than necessary.
# expect ex13_2_backs_off 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout(timeout):
        error = None
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError as failure:
                error = failure
                await asyncio.sleep(backoff(attempt, base, rng))
        raise error
