# Valid: deadlines with call_at(start + delay), and a future that the last bell completes, instead of a sleep.
# alternative ex1_2_rings_on_time ex1_2_waits_for_last_bell
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    all_rang = loop.create_future()
    start = loop.time()

    def ring():
        rang.append(loop.time())
        if len(rang) == len(delays):
            all_rang.set_result(None)

    for delay in delays:
        loop.call_at(start + delay, ring)
    await all_rang
    return rang
