# Passes the list of coroutines to gather without unpacking it: gather(coros) instead of gather(*coros).
# expect ex3_2_results_in_order 0
# expect ex3_2_failures_become_none 0
# %% replace ex3_2_fetch_each
async def fetch_each(jobs):
    coros = [flaky_fetch(name, delay) for name, delay in jobs]
    results = await asyncio.gather(coros, return_exceptions=True)
    return [None if isinstance(result, ConnectionError) else result for result in results]
