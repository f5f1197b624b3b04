# Valid: the deadline from asyncio.wait_for() around a recursive retry.
# alternative ex13_2_backs_off ex13_2_stops_at_the_deadline
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async def attempt(n):
        try:
            return await web.get(url)
        except ConnectionError:
            if n >= attempts:
                raise
        await asyncio.sleep(backoff(n, base, rng))
        return await attempt(n + 1)

    return await asyncio.wait_for(attempt(1), timeout)
