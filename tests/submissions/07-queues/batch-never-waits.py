# Only uses get_nowait(): right when items are waiting, but on an empty queue it returns an empty batch instead
# of waiting for the first item.
# expect ex7_4_waits_for_the_first 0
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    batch = []
    while len(batch) < limit:
        try:
            batch.append(queue.get_nowait())
        except asyncio.QueueEmpty:
            break
    return batch
