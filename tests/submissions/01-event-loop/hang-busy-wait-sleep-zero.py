# Waits for the last bell by polling: awaits sleep(0) in a loop until every bell has rung. The loop is never idle,
# so the clock cannot reach the first timer on virtual time: the tests stop it at their wall limit, and the "try it"
# cell hangs until interrupted (on a real loop it burns a CPU for the whole wait).
# expect ex1_2_rings_on_time 0
# expect ex1_2_waits_for_last_bell 0
# %% replace ex1_2_ring_bells
async def ring_bells(delays):
    loop = asyncio.get_running_loop()
    rang = []
    for delay in delays:
        loop.call_later(delay, lambda: rang.append(loop.time()))
    while len(rang) < len(delays):
        await asyncio.sleep(0)
    return rang
