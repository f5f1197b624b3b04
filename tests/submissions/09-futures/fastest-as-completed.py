# Valid: the first result from as_completed, then cancel what is not done and wait for it with asyncio.wait.
# alternative ex9_4_first_one_wins ex9_4_losers_cancelled_and_awaited
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    tasks = [asyncio.create_task(download(name, seconds, closed), name=name) for name, seconds in mirrors.items()]
    for first in asyncio.as_completed(tasks):
        result = await first
        break
    losers = [task for task in tasks if not task.done()]
    for task in losers:
        task.cancel()
    if losers:
        await asyncio.wait(losers)
    return result
