# A BoundedSemaphore taken with acquire() and released in a finally block; gather instead of a TaskGroup.
# alternative ex8_4_respects_the_limit ex8_4_no_slot_wasted
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    slots = asyncio.BoundedSemaphore(limit)

    async def fetch(url, seconds):
        await slots.acquire()
        try:
            return await download(url, seconds)
        except ConnectionError:
            return "failed"
        finally:
            slots.release()

    results = await asyncio.gather(*(fetch(url, seconds) for url, seconds in jobs.items()))
    return dict(zip(jobs, results))
