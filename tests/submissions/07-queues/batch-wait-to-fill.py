# Awaits get() until the batch is full: it holds back items that are ready while it waits for more, and when
# no more come it waits forever (a deadlock in the tests).
# expect ex7_4_takes_what_is_there 0
# expect ex7_4_waits_for_the_first 0
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    return [await queue.get() for _ in range(limit)]
