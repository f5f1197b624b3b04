# Runs the fetches concurrently with gather, but the tasks keep asyncio's default names (Task-N).
# expect ex3_1_named_tasks 0
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    results = await asyncio.gather(*(fetch(name, delay) for name, delay in jobs.items()))
    return dict(zip(jobs, results))
