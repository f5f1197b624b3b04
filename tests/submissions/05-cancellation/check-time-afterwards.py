# Awaits the whole fetch, then compares the time it took with the limit: right answer, but too late.
# expect ex5_3_fallback_at_the_limit 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await fetch
    if loop.time() - start > limit:
        return default
    return result
