# Submits every hash to the executor but returns the futures instead of awaiting them.
# expect ex4_3_hashes 0
# expect ex4_3_hashes_overlap 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    loop = asyncio.get_running_loop()
    return [loop.run_in_executor(executor, slow_hash, blob) for blob in blobs]
