# Schedules the bells right but notes time.monotonic() instead of the loop's clock.
# expect ex1_2_rings_on_time 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_later(delay, lambda: rang.append(time.monotonic()))
    await asyncio.sleep(max(delays))
    return rang
