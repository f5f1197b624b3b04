# Valid: each fetch catches its own ConnectionError in a small wrapper coroutine, so gather never sees one.
# alternative ex3_2_results_in_order ex3_2_failures_become_none
# %% replace ex3_2_fetch_each
async def fetch_each(jobs):
    async def fetch_or_none(name, delay):
        try:
            return await flaky_fetch(name, delay)
        except ConnectionError:
            return None

    return list(await asyncio.gather(*(fetch_or_none(name, delay) for name, delay in jobs)))
