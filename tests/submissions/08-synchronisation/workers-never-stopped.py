# A pool of `limit` workers fed by a queue, but nobody stops the workers: they are still waiting on the queue
# when fetch_all returns.
# expect ex8_4_respects_the_limit 0
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
            queue.task_done()

    for url in jobs:
        queue.put_nowait(url)
    workers = [asyncio.create_task(worker(), name=f"worker-{i}") for i in range(limit)]
    await queue.join()
    return {url: results[url] for url in jobs}
