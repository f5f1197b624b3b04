# Valid: a while loop under asyncio.timeout_at() with a deadline computed from the loop's clock, the last error
# kept and raised after the loop.
# alternative ex13_2_backs_off ex13_2_stops_at_the_deadline
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    loop = asyncio.get_running_loop()
    async with asyncio.timeout_at(loop.time() + timeout):
        failures = 0
        while True:
            try:
                return await web.get(url)
            except ConnectionError:
                failures += 1
                if failures == attempts:
                    raise
            await asyncio.sleep(backoff(failures, base, rng))
