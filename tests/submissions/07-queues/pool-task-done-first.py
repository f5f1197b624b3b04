# Calls task_done() as soon as a job is taken, before handling it: join() returns while the last jobs are still
# running, and cancelling the workers then cuts those jobs short.
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
            queue.task_done()
            await handle(name, seconds, done)

    pool = [asyncio.create_task(work(), name=f"worker-{i}") for i in range(1, workers + 1)]
    await queue.join()
    for task in pool:
        task.cancel()
    await asyncio.gather(*pool, return_exceptions=True)
    return done
