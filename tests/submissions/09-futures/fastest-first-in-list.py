# Waits for the first download to finish, then reads the result of the first task in the list, as if `done` said
# which position finished: that task may still be running (InvalidStateError).
# expect ex9_4_first_one_wins 0
# expect ex9_4_losers_cancelled_and_awaited 0
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    tasks = [asyncio.create_task(download(name, seconds, closed), name=name) for name, seconds in mirrors.items()]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return tasks[0].result()
