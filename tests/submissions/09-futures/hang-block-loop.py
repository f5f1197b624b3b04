# Blocks with time.sleep(10**6) before starting the downloads (in the tests: stopped at the end of virtual time) and
# awaits it at the top of a cell, where it blocks the kernel's own loop for real.
# expect ex9_4_first_one_wins 0
# expect ex9_4_losers_cancelled_and_awaited 0
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    time.sleep(10**6)
    tasks = [asyncio.create_task(download(name, seconds, closed), name=name) for name, seconds in mirrors.items()]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return done.pop().result()
# %% after ex9_4_fastest
await fastest({"x": 1}, [])
