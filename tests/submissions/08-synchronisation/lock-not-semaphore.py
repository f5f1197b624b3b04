# Uses a Lock to be polite: one download at a time, whatever the limit.
# expect ex8_4_respects_the_limit 0
# expect ex8_4_no_slot_wasted 0
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    lock = asyncio.Lock()

    async def fetch(url, seconds):
        async with lock:
            try:
                return await download(url, seconds)
            except ConnectionError:
                return "failed"

    results = await asyncio.gather(*(fetch(url, seconds) for url, seconds in jobs.items()))
    return dict(zip(jobs, results))
