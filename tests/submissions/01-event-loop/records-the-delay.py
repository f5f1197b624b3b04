# Notes each bell's delay instead of the time it rang: right only while the loop's clock starts at 0.
# expect ex1_2_rings_on_time 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_later(delay, rang.append, delay)
    await asyncio.sleep(max(delays))
    return rang
