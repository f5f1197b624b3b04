# Gives each attempt its own timeout instead of the whole call: a dead server that fails quickly is retried
# attempts times, and the call takes far longer than `timeout`.
# expect ex13_2_stops_at_the_deadline 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.wait_for(web.get(url), timeout)
        except ConnectionError:
            if attempt == attempts:
                raise
            await asyncio.sleep(backoff(attempt, base, rng))
