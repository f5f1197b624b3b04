# Catches the TaskGroup's failure with a plain `except ValueError`, which never matches an ExceptionGroup.
# expect ex3_4_reports_value_errors 0
# %% replace ex3_4_run_all
async def run_all(jobs):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(job(name, delay), name=name) for name, delay in jobs.items()]
    except ValueError as error:
        return [str(error)]
    return [task.result() for task in tasks]
