# Sleeps before each bell in turn, so every delay counts from the previous bell.
# expect ex1_2_rings_on_time 0
# expect ex1_2_waits_for_last_bell 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in sorted(delays):
        await asyncio.sleep(delay)
        rang.append(loop.time())
    return rang
