# Looks at the flag between sleeps: stops at the next beat (t=1.5) instead of when the flag goes up.
# expect ex8_2_stops_at_once 0
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    beats = 0
    while not stop.is_set():
        log.append(asyncio.get_running_loop().time())
        beats += 1
        await asyncio.sleep(period)
    return beats
