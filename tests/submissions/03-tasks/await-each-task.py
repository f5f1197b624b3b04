# Creates each task and awaits it at once, before starting the next: tasks, but one at a time (sum of delays).
# expect ex3_1_runs_concurrently 0
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    results = {}
    for name, delay in jobs.items():
        results[name] = await asyncio.create_task(fetch(name, delay), name=name)
    return results
