# Calls read_file(path) inside to_thread(...): the read blocks the loop, then to_thread gets a string to call.
# expect ex4_2_returns_contents 0
# expect ex4_2_reads_in_threads 0
# expect ex4_2_reads_overlap 0
# %% replace ex4_2_read_all
async def read_all(paths):
    return await asyncio.gather(*(asyncio.to_thread(read_file(path)) for path in paths))
