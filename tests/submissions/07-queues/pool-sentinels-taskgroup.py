# Valid: a TaskGroup of workers stopped by one sentinel each (no join(), no cancel()); the workers return.
# alternative ex7_1_handles_every_job ex7_1_concurrency_is_workers
# %% replace ex7_1_run_pool
async def run_pool(jobs, workers):
    done = []
    queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    for _ in range(workers):
        queue.put_nowait(None)

    async def work():
        while (job := await queue.get()) is not None:
            await handle(*job, done)

    async with asyncio.TaskGroup() as group:
        for i in range(1, workers + 1):
            group.create_task(work(), name=f"worker-{i}")
    return done
