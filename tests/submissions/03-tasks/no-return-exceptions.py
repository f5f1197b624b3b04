# Gathers without return_exceptions=True: the first ConnectionError escapes and the other results are lost.
# expect ex3_2_failures_become_none 0
# %% replace ex3_2_fetch_each
async def fetch_each(jobs):
    return await asyncio.gather(*(flaky_fetch(name, delay) for name, delay in jobs))
