# Awaits a coroutine that does nothing, believing any await hands control to the loop.
# expect ex1_3_workers_take_turns 0
# %% replace ex1_3_worker
async def pass_turn():
    pass


async def worker(name, log, turns):
    for _ in range(turns):
        log.append(name)
        await pass_turn()
