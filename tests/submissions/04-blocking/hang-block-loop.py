# Blocks the loop with time.sleep(10**6) in the coroutine, in the tests and awaited at the top of a cell:
# on the kernel's own loop that blocks for real.
# expect ex4_1_never_blocks 0
# expect ex4_1_fetches_overlap 0
# %% replace ex4_1_fetch
async def fetch(url, delay):
    time.sleep(10**6)
    return f"page {url}"
# %% after ex4_1_fetch
await fetch("me", 1)
