# Makes the semaphore inside the function each download runs: every download has a semaphore of its own.
# expect ex8_4_respects_the_limit 0
# expect ex8_4_no_slot_wasted 0
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    async def fetch(url, seconds):
        async with asyncio.Semaphore(limit):
            try:
                return await download(url, seconds)
            except ConnectionError:
                return "failed"

    results = await asyncio.gather(*(fetch(url, seconds) for url, seconds in jobs.items()))
    return dict(zip(jobs, results))
