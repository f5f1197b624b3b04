# Waits on the flag with wait_for() but forgets that the time limit raises TimeoutError.
# expect ex8_2_stops_at_once 0
# expect ex8_2_beats_on_time 0
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    beats = 0
    while not stop.is_set():
        log.append(asyncio.get_running_loop().time())
        beats += 1
        await asyncio.wait_for(stop.wait(), timeout=period)
    return beats
