# Downloads and saves each job in turn: named tasks, but no overlap at all.
# expect ex3_3_saves_in_completion_order 0
# expect ex3_3_downloads_overlap 0
# %% replace ex3_3_save_as_they_come
async def save_as_they_come(jobs):
    saved = []
    for name, delay in jobs.items():
        await save(await asyncio.create_task(download(name, delay), name=name), saved)
    return saved
