# Waits for queue.join() and returns, leaving the workers waiting in queue.get(): they are still running when
# run_pool() returns (asyncio.run() cancels them afterwards, which hides the mistake in a script).
# expect ex7_1_handles_every_job 0
# expect ex7_1_concurrency_is_workers 0
# %% replace ex7_1_run_pool
async def run_pool(jobs, workers):
    done = []
    queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def work():
        while True:
            name, seconds = await queue.get()
            await handle(name, seconds, done)
            queue.task_done()

    for i in range(1, workers + 1):
        asyncio.create_task(work(), name=f"worker-{i}")
    await queue.join()
    return done
