# Retries after the same wait every time (base seconds): no exponential backoff and no jitter, so clients that
# failed together keep coming back together. The deadline still works.
# expect ex13_2_backs_off 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout(timeout):
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(base)
