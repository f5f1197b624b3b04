# Starts the tasks but never awaits them, believing a started task finishes by itself: the function returns
# first, and the tasks are cancelled when the program ends.
# expect ex3_1_runs_concurrently 0
# expect ex3_1_named_tasks 0
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    tasks = {name: asyncio.create_task(fetch(name, delay), name=name) for name, delay in jobs.items()}
    await asyncio.sleep(0)
    return {name: task.result() if task.done() else None for name, task in tasks.items()}
