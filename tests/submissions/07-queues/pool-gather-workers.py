# Waits for the workers themselves (gather) instead of for the queue: the workers loop forever waiting for more
# jobs, so nothing ever ends (a deadlock in the tests).
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

    pool = [asyncio.create_task(work(), name=f"worker-{i}") for i in range(1, workers + 1)]
    await asyncio.gather(*pool)
    return done
