# Cancels the requests still running but returns without waiting for them: they are still hanging up when
# hedged returns.
# expect ex13_3_losers_cleaned_up 0
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    tasks = []
    for name in names:
        tasks.append(asyncio.create_task(ask(name)))
        timeout = None if name == names[-1] else delay
        done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if done:
            for task in tasks:
                task.cancel()
            return next(task for task in tasks if task in done).result()
