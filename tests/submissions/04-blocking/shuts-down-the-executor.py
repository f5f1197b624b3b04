# Uses the executor in a `with` block, which shuts it down when hash_all returns: the digests are right and the
# hashes overlap, but the caller can no longer use its own executor.
# expect ex4_3_uses_the_executor 0
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    loop = asyncio.get_running_loop()
    with executor:
        return await asyncio.gather(*(loop.run_in_executor(executor, slow_hash, blob) for blob in blobs))
