# Takes turns with asyncio.sleep(0.1): right order, but each turn costs a tenth of a second.
# expect ex1_3_no_time_no_blocking 0
# %% replace ex1_3_worker
async def worker(name, log, turns):
    for _ in range(turns):
        log.append(name)
        await asyncio.sleep(0.1)
