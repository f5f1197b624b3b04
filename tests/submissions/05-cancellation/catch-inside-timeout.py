# Catches TimeoutError inside the timeout() block, where the code only ever sees CancelledError.
# expect ex5_3_fallback_at_the_limit 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    async with asyncio.timeout(limit):
        try:
            return await fetch
        except TimeoutError:
            return default
