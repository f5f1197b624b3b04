# Calls slow_hash directly in the coroutine: right digests, but in the loop's thread, blocking it.
# expect ex4_3_uses_the_executor 0
# expect ex4_3_hashes_overlap 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    return [slow_hash(blob) for blob in blobs]
