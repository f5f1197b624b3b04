# Chunks the work but writes asyncio.sleep(0) without await: nothing yields (and Python warns).
# expect ex4_4_never_blocks 0
# expect ex4_4_heartbeat_keeps_ticking 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    numbers = list(numbers)
    total = 0
    for i in range(0, len(numbers), chunk_size):
        total += square_sum(numbers[i : i + chunk_size])
        asyncio.sleep(0)
    return total
