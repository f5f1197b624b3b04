# Valid: starts the named fetches in a TaskGroup and reads the results once the group has waited for them all.
# alternative ex3_1_runs_concurrently ex3_1_named_tasks
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    async with asyncio.TaskGroup() as group:
        tasks = {name: group.create_task(fetch(name, delay), name=name) for name, delay in jobs.items()}
    return {name: task.result() for name, task in tasks.items()}
