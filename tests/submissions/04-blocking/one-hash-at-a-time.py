# Awaits each run_in_executor before submitting the next: the pool's threads are never used together.
# expect ex4_3_hashes_overlap 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    loop = asyncio.get_running_loop()
    return [await loop.run_in_executor(executor, slow_hash, blob) for blob in blobs]
