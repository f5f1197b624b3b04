# Blocks with time.sleep(10**6) before taking the batch (in the tests: stopped at the end of virtual time) and
# awaits it at the top of a cell, where it blocks the kernel's own loop for real.
# expect ex7_4_takes_what_is_there 0
# expect ex7_4_waits_for_the_first 0
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    time.sleep(10**6)
    batch = [await queue.get()]
    while len(batch) < limit:
        try:
            batch.append(queue.get_nowait())
        except asyncio.QueueEmpty:
            break
    return batch
# %% after ex7_4_get_batch
q = asyncio.Queue()
q.put_nowait(1)
await get_batch(q, 1)
