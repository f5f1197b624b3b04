# Awaits an event nobody sets, in the tests (a deadlock, reported at once) and at the top of a cell of
# its own (on the kernel's loop, where the kernel's interrupt cannot stop it).
# expect ex4_4_total 0
# expect ex4_4_never_blocks 0
# expect ex4_4_heartbeat_keeps_ticking 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    await asyncio.Event().wait()
    return 0
# %% after ex4_4_crunch
await crunch([1], 1)
