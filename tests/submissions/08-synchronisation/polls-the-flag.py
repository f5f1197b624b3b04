# Polls the flag every 0.05 s and beats when a period has passed: stops nearly on time, wakes up all the time.
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
