# Spins in a coroutine that never awaits: stopped by the tests' wall limit, and at the top of a cell.
# expect ex1_3_workers_take_turns 0
# expect ex1_3_no_time_no_blocking 0
# %% replace ex1_3_worker
async def worker(name, log, turns):
    log.append(name)
    while True:
        pass
# %% after ex1_3_worker
await worker("me", [], 1)
