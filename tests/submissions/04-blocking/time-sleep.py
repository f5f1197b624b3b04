# Waits with time.sleep() inside the coroutine: it blocks the loop, so the fetches run one after another.
# expect ex4_1_never_blocks 0
# expect ex4_1_fetches_overlap 0
# %% replace ex4_1_fetch
async def fetch(url, delay):
    time.sleep(delay)
    return f"page {url}"
