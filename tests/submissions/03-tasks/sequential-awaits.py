# Awaits each coroutine directly, one after the other: no tasks at all, and the delays add up.
# expect ex3_1_runs_concurrently 0
# expect ex3_1_named_tasks 0
# %% replace ex3_1_fetch_all
async def fetch_all(jobs):
    return {name: await fetch(name, delay) for name, delay in jobs.items()}
