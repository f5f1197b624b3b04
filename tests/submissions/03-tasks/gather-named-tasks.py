# Valid: creates the named tasks in a loop, then collects them with gather.
# alternative ex3_1_runs_concurrently ex3_1_named_tasks
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    tasks = []
    for name, delay in jobs.items():
        tasks.append(asyncio.create_task(fetch(name, delay), name=name))
    results = await asyncio.gather(*tasks)
    return dict(zip(jobs, results))
