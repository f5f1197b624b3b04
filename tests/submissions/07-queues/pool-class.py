# Valid: a class that owns the queue and its workers, and closes them with asyncio.wait() after join().
# alternative ex7_1_handles_every_job ex7_1_concurrency_is_workers
# %% replace ex7_1_run_pool
class Pool:
    def __init__(self, size):
        self.queue = asyncio.Queue()
        self.done = []
        self.workers = [asyncio.create_task(self._work(), name=f"worker-{i}") for i in range(1, size + 1)]

    async def _work(self):
        while True:
            name, seconds = await self.queue.get()
            try:
                await handle(name, seconds, self.done)
            finally:
                self.queue.task_done()

    async def close(self):
        await self.queue.join()
        for worker in self.workers:
            worker.cancel()
        if self.workers:
            await asyncio.wait(self.workers)


async def run_pool(jobs, workers):
    pool = Pool(workers)
    for job in jobs:
        await pool.queue.put(job)
    await pool.close()
    return pool.done
