# Uses call_at with the delay, as if it were a delay: the bell rings when loop.time() reads the delay.
# expect ex1_2_rings_on_time 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_at(delay, lambda: rang.append(loop.time()))
    await asyncio.sleep(max(delays))
    return rang
