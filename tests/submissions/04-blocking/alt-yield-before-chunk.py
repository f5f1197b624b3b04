# Valid: slices the chunks first and yields before each chunk rather than after it, summing with a generator
# expression. The heartbeat gets its turns and no time is added: full marks.
# alternative ex4_4_total ex4_4_never_blocks ex4_4_heartbeat_keeps_ticking
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    numbers = list(numbers)
    chunks = [numbers[i : i + chunk_size] for i in range(0, len(numbers), chunk_size)]
    total = 0
    for chunk in chunks:
        await asyncio.sleep(0)
        total += square_sum(chunk)
    return total
