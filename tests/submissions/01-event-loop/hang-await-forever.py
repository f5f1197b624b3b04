# Awaits an event nobody sets, in the tests (a deadlock, reported at once) and at the top of a cell of
# its own (on the kernel's loop, where the kernel's interrupt cannot stop it).
# expect ex1_3_workers_take_turns 0
# expect ex1_3_no_time_no_blocking 0
# %% replace ex1_3_worker
async def worker(name, log, turns):
    for _ in range(turns):
        log.append(name)
        await asyncio.Event().wait()
# %% after ex1_3_worker
await worker("me", [], 1)
