# Uses asyncio.wait_for() with a timeout, and returns from inside the loop.
# alternative ex8_2_stops_at_once ex8_2_beats_on_time
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    loop = asyncio.get_running_loop()
    beats = 0
    while True:
        log.append(loop.time())
        beats += 1
        try:
            await asyncio.wait_for(stop.wait(), timeout=period)
            return beats
        except TimeoutError:
            continue
