# Blocks with time.sleep(10**6) inside the coroutine (in the tests: stopped at the end of virtual time)
# and awaits it at the top of a cell, where it blocks the kernel's own loop for real.
# expect ex8_2_stops_at_once 0
# expect ex8_2_beats_on_time 0
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    beats = 0
    while not stop.is_set():
        log.append(asyncio.get_running_loop().time())
        beats += 1
        time.sleep(10**6)
    return beats
# %% after ex8_2_heartbeat
await heartbeat(asyncio.Event(), 1, [])
