# A pool of `limit` workers fed by a queue (notebook 07), cancelled once the queue is done.
# alternative ex8_4_respects_the_limit ex8_4_no_slot_wasted
# %% replace ex8_4_fetch_all
async def fetch_all(jobs, limit):
    queue = asyncio.Queue()
    results = {}

    async def worker():
        while True:
            url = await queue.get()
            try:
                results[url] = await download(url, jobs[url])
            except ConnectionError:
                results[url] = "failed"
            finally:
                queue.task_done()

    for url in jobs:
        queue.put_nowait(url)
    workers = [asyncio.create_task(worker(), name=f"worker-{i}") for i in range(limit)]
    await queue.join()
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return {url: results[url] for url in jobs}
