# Passes the delay to asyncio.timeout_at(), which wants a time on the loop's clock: right only while the clock
# happens to start at 0 (the hidden tests start it at 1000, where the deadline has passed before the first request).
# expect ex13_2_backs_off 0
# expect ex13_2_stops_at_the_deadline 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout_at(timeout):
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(backoff(attempt, base, rng))
