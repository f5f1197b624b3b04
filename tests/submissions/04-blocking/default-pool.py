# Ignores the executor it is given and uses asyncio.to_thread (the default pool).
# expect ex4_3_uses_the_executor 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    return await asyncio.gather(*(asyncio.to_thread(slow_hash, blob) for blob in blobs))
