# Yields with asyncio.sleep(0.05) after each chunk: the heartbeat ticks, but every chunk costs 50 ms more.
# expect ex4_4_heartbeat_keeps_ticking 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    numbers = list(numbers)
    total = 0
    for i in range(0, len(numbers), chunk_size):
        total += square_sum(numbers[i : i + chunk_size])
        await asyncio.sleep(0.05)
    return total
