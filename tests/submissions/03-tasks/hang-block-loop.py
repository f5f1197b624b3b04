# "Saves" with time.sleep(10**6), blocking the loop, and also awaits it at the top of a cell: on the kernel's
# own loop that blocks for real, and grading must still end.
# expect ex3_3_saves_in_completion_order 0
# expect ex3_3_downloads_overlap 0
# %% replace ex3_3_save_as_they_come
import time


async def save_as_they_come(jobs):
    saved = []
    tasks = [asyncio.create_task(download(name, delay), name=name) for name, delay in jobs.items()]
    for next_done in asyncio.as_completed(tasks):
        name = await next_done
        time.sleep(10**6)
        saved.append(name)
    return saved
# %% after ex3_3_save_as_they_come
await save_as_they_come({"a": 0.1})
