# Schedules the bells and returns at once, before any has rung.
# expect ex1_2_rings_on_time 0
# expect ex1_2_waits_for_last_bell 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_later(delay, lambda: rang.append(loop.time()))
    return rang
