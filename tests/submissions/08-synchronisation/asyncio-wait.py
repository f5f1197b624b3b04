# One task waits on the flag for the whole run; asyncio.wait() with a timeout ends each period.
# alternative ex8_2_stops_at_once ex8_2_beats_on_time
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    stopped = asyncio.create_task(stop.wait(), name="stop-watch")
    beats = 0
    while True:
        log.append(asyncio.get_running_loop().time())
        beats += 1
        done, _ = await asyncio.wait({stopped}, timeout=period)
        if done:
            return beats
