# Stops before the last, short chunk: right when the numbers split evenly, wrong otherwise.
# expect ex4_4_total 0
# %% replace ex4_4_crunch
async def crunch(numbers, chunk_size):
    numbers = list(numbers)
    total = 0
    for i in range(len(numbers) // chunk_size):
        total += square_sum(numbers[i * chunk_size : (i + 1) * chunk_size])
        await asyncio.sleep(0)
    return total
