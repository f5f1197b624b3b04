# Calls time.sleep(0), which never gives the loop a turn.
# expect ex1_3_workers_take_turns 0
# %% replace ex1_3_worker
async def worker(name, log, turns):
    for _ in range(turns):
        log.append(name)
        time.sleep(0)
