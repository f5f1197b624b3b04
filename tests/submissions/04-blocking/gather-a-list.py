# Passes the list of futures to gather() as one argument instead of unpacking it: gather() raises TypeError.
# expect ex4_3_hashes 0
# expect ex4_3_uses_the_executor 0
# expect ex4_3_hashes_overlap 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(executor, slow_hash, blob) for blob in blobs]
    return await asyncio.gather(futures)
