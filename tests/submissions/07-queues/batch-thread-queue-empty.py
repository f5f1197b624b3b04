# Catches queue.Empty from the thread-safe queue module: asyncio's QueueEmpty is a different exception, so it
# escapes as soon as the queue runs out before the batch is full.
# expect ex7_4_takes_what_is_there 0
# expect ex7_4_waits_for_the_first 0
# %% replace ex7_4_get_batch
import queue as thread_queue


async def get_batch(queue, limit):
    batch = [await queue.get()]
    while len(batch) < limit:
        try:
            batch.append(queue.get_nowait())
        except thread_queue.Empty:
            break
    return batch
