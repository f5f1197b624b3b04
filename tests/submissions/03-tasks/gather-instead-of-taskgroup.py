# Uses gather instead of a TaskGroup: the first error escapes alone, nothing cancels the other jobs, and the
# other errors are lost.
# expect ex3_4_returns_results 0
# expect ex3_4_reports_value_errors 0
# expect ex3_4_other_errors_propagate 0
# %% replace ex3_4_run_all
async def run_all(jobs):
    tasks = [asyncio.create_task(job(name, delay), name=name) for name, delay in jobs.items()]
    try:
        return await asyncio.gather(*tasks)
    except ValueError as error:
        return [str(error)]
