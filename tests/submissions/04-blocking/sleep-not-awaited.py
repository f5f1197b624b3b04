# Calls asyncio.sleep(delay) without await: nothing waits, so every fetch returns at once.
# expect ex4_1_fetches_overlap 0
# %% replace ex4_1_fetch
async def fetch(url, delay):
    asyncio.sleep(delay)
    return f"page {url}"
