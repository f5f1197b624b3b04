# Returns the first file and leaves the other downloads running.
# expect ex9_4_losers_cancelled_and_awaited 0
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    tasks = [asyncio.create_task(download(name, seconds, closed), name=name) for name, seconds in mirrors.items()]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    return done.pop().result()
