# Valid: gives up the turn by awaiting a future that a call_soon callback completes, instead of sleep(0).
# alternative ex1_3_workers_take_turns ex1_3_no_time_no_blocking
# %% replace ex1_3_worker
async def worker(name, log, turns):
    loop = asyncio.get_running_loop()
    for _ in range(turns):
        log.append(name)
        turn = loop.create_future()
        loop.call_soon(turn.set_result, None)
        await turn
