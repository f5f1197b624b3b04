# Valid: catches the ExceptionGroup as a whole, splits off the ValueErrors and re-raises the rest.
# alternative ex3_4_returns_results ex3_4_reports_value_errors ex3_4_other_errors_propagate
# %% replace ex3_4_run_all
async def run_all(jobs):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(job(name, delay), name=name) for name, delay in jobs.items()]
    except ExceptionGroup as errors:
        values, rest = errors.split(ValueError)
        if rest is not None:
            raise rest
        return sorted(str(error) for error in values.exceptions)
    return [task.result() for task in tasks]
