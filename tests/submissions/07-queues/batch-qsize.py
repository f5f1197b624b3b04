# Valid: counts what is waiting with qsize() and takes that many (up to the limit) with get_nowait().
# alternative ex7_4_takes_what_is_there ex7_4_waits_for_the_first
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    first = await queue.get()
    return [first] + [queue.get_nowait() for _ in range(min(limit - 1, queue.qsize()))]
