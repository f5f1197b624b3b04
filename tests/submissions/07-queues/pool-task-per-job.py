# Starts one task per job (named worker-1, worker-2, ...) instead of a fixed number of workers: every job runs at
# once, so the pool's concurrency is the number of jobs, not the number of workers.
# expect ex7_1_handles_every_job 0
# expect ex7_1_concurrency_is_workers 0
# %% replace ex7_1_run_pool
async def run_pool(jobs, workers):
    done = []
    tasks = [
        asyncio.create_task(handle(name, seconds, done), name=f"worker-{i}")
        for i, (name, seconds) in enumerate(jobs, start=1)
    ]
    await asyncio.gather(*tasks)
    return done
