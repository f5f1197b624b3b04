# Releases the semaphore only after a download that worked: a failed download keeps its slot for ever.
# expect ex8_4_no_slot_wasted 0
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url, seconds):
        try:
            await semaphore.acquire()
            result = await download(url, seconds)
            semaphore.release()
            return result
        except ConnectionError:
            return "failed"

    results = await asyncio.gather(*(fetch(url, seconds) for url, seconds in jobs.items()))
    return dict(zip(jobs, results))
