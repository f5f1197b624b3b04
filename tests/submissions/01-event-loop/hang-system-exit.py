# Raises SystemExit in the coroutine, in the tests and at the top of a cell.
# expect ex1_3_workers_take_turns 0
# expect ex1_3_no_time_no_blocking 0
# %% replace ex1_3_worker
async def worker(name, log, turns):
    raise SystemExit("bye")
# %% after ex1_3_worker
await worker("me", [], 1)
