# Waits on an event nobody sets after the jobs are done: a deadlock in the tests (reported at once), and at the
# top of a cell of its own it awaits forever on the kernel's loop.
# expect ex7_1_handles_every_job 0
# expect ex7_1_concurrency_is_workers 0
# %% replace ex7_1_run_pool
async def run_pool(jobs, workers):
    done = []
    for name, seconds in jobs:
        await handle(name, seconds, done)
    await asyncio.Event().wait()
    return done
# %% after ex7_1_run_pool
await run_pool([("x", 1)], 1)
