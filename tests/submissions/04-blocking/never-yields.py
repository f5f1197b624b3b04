# Computes the whole sum in one step, never handing the turn back: the heartbeat is stuck.
# expect ex4_4_never_blocks 0
# expect ex4_4_heartbeat_keeps_ticking 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    return square_sum(list(numbers))
