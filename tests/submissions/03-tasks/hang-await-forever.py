# Waits in the group for an event nobody sets (a deadlock, reported at once by the checks) and does the same
# at the top of a cell, on the kernel's loop.
# expect ex3_4_returns_results 0
# expect ex3_4_reports_value_errors 0
# %% replace ex3_4_run_all
async def run_all(jobs):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(job(name, delay), name=name) for name, delay in jobs.items()]
        await asyncio.Event().wait()
    return [task.result() for task in tasks]
# %% after ex3_4_run_all
await run_all({"a": 0.1})
