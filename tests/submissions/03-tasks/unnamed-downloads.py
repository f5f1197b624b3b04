# Saves in completion order with as_completed, but leaves the download tasks with asyncio's default names:
# only the cell that looks for tasks named after the jobs fails.
# expect ex3_3_downloads_overlap 0
# %% replace ex3_3_save_as_they_come
async def save_as_they_come(jobs):
    saved = []
    tasks = [asyncio.create_task(download(name, delay)) for name, delay in jobs.items()]
    for next_done in asyncio.as_completed(tasks):
        await save(await next_done, saved)
    return saved
