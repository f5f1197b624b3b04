# Valid: checks queue.empty() and awaits get() for the rest, which returns at once (without suspending) while
# the queue holds an item.
# alternative ex7_4_takes_what_is_there ex7_4_waits_for_the_first
# %% replace ex7_4_get_batch
async def get_batch(queue, limit):
    batch = [await queue.get()]
    while len(batch) < limit and not queue.empty():
        batch.append(await queue.get())
    return batch
