# Yields with time.sleep(0), which lets other threads run, never other tasks.
# expect ex4_4_never_blocks 0
# expect ex4_4_heartbeat_keeps_ticking 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    numbers = list(numbers)
    total = 0
    for i in range(0, len(numbers), chunk_size):
        total += square_sum(numbers[i : i + chunk_size])
        time.sleep(0)
    return total
