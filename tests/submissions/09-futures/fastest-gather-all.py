# Downloads from every mirror with gather and returns the quickest one's file: it waits for the slowest download and
# cancels nothing.
# expect ex9_4_first_one_wins 0
# expect ex9_4_losers_cancelled_and_awaited 0
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    files = await asyncio.gather(*(download(name, seconds, closed) for name, seconds in mirrors.items()))
    quickest = min(mirrors, key=mirrors.get)
    return files[list(mirrors).index(quickest)]
