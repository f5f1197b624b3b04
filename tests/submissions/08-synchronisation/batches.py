# Downloads in batches of `limit`: never too many at once, but each batch waits for its slowest download.
# expect ex8_4_no_slot_wasted 0
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    async def fetch(url, seconds):
        try:
            return await download(url, seconds)
        except ConnectionError:
            return "failed"

    urls = list(jobs)
    results = {}
    for i in range(0, len(urls), limit):
        batch = urls[i : i + limit]
        answers = await asyncio.gather(*(fetch(url, jobs[url]) for url in batch))
        results.update(zip(batch, answers))
    return results
