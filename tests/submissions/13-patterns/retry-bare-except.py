# Retries on anything with a bare except: NotFound is retried, and the CancelledError that timeout() uses to stop
# a request in progress is caught too, so the retries go on past the deadline.
# expect ex13_2_backs_off 0
# expect ex13_2_stops_at_the_deadline 0
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
