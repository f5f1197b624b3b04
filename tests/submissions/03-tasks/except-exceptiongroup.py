# Catches the whole ExceptionGroup and reports every error in it: the TypeError of a bug is swallowed too.
# expect ex3_4_other_errors_propagate 0
# %% replace ex3_4_run_all
async def run_all(jobs):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(job(name, delay), name=name) for name, delay in jobs.items()]
    except ExceptionGroup as errors:
        return sorted(str(error) for error in errors.exceptions)
    return [task.result() for task in tasks]
