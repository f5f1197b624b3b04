# Blocks the loop with time.sleep(10**6) inside the coroutine, and awaits it at the top of a cell:
# on the kernel's own loop that blocks for real, and stock nbgrader never gets the kernel back.
# expect ex1_2_rings_on_time 0
# expect ex1_2_waits_for_last_bell 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_later(delay, lambda: rang.append(loop.time()))
    time.sleep(10**6)
    return rang
# %% after ex1_2_ring_bells
await ring_bells([0.1])
