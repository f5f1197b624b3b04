# Computes the whole sum in one step, never handing the turn back: the heartbeat is stuck.
# expect ex5_1_never_blocks 0
# expect ex5_1_heartbeat_keeps_ticking 0
# %% replace ex5_1_crunch
async def crunch(numbers, chunk_size):
    return square_sum(list(numbers))
