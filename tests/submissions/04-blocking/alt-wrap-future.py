# Valid: submits to the executor itself and wraps each concurrent.futures.Future with asyncio.wrap_future, then
# gathers them. The hashes run on the given executor, overlap, and come back in order: full marks.
# alternative ex4_3_hashes ex4_3_uses_the_executor ex4_3_hashes_overlap
# %% replace ex4_3_hash_all
async def hash_all(blobs, executor):
    futures = [asyncio.wrap_future(executor.submit(slow_hash, blob)) for blob in blobs]
    return list(await asyncio.gather(*futures))
