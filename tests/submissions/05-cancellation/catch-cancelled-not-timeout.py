# Expects the timeout to raise CancelledError at the caller, and catches that instead of TimeoutError.
# expect ex5_3_fallback_at_the_limit 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    try:
        async with asyncio.timeout(limit):
            return await fetch
    except asyncio.CancelledError:
        return default
