# Takes everything that is waiting, ignoring the limit.
# expect ex7_4_takes_what_is_there 0
# expect ex7_4_waits_for_the_first 0
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    batch = [await queue.get()]
    while not queue.empty():
        batch.append(queue.get_nowait())
    return batch
