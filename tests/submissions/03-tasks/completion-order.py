# Collects the results with as_completed: they come in the order the fetches finish, not the order of the jobs.
# expect ex3_2_results_in_order 0
# expect ex3_2_failures_become_none 0
# %% replace ex3_2_fetch_each
async def fetch_each(jobs):
    results = []
    for next_done in asyncio.as_completed([flaky_fetch(name, delay) for name, delay in jobs]):
        try:
            results.append(await next_done)
        except ConnectionError:
            results.append(None)
    return results
