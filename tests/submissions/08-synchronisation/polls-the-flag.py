# Polls the flag every 0.05 s and beats when a period has passed: wakes up all the time, and stops up to one poll
# late. At a clock that starts at 0 its polls happen to land on the stop (t=1.2); at the hidden tests' clock (1000)
# the poll before the stop comes a hair early and the next one 0.05 s late.
# expect ex8_2_stops_at_once 0
# expect ex8_2_beats_on_time 0
# %% replace ex8_2_heartbeat
async def heartbeat(stop, period, log):
    loop = asyncio.get_running_loop()
    beats = 0
    next_beat = loop.time()
    while not stop.is_set():
        if loop.time() >= next_beat:
            log.append(loop.time())
            beats += 1
            next_beat += period
        await asyncio.sleep(0.05)
    return beats
