# Starts every download, then awaits them in the order of the jobs: a slow first job holds back every save.
# expect ex3_3_saves_in_completion_order 0
# %% replace ex3_3_save_as_they_come
async def save_as_they_come(jobs):
    saved = []
    tasks = [asyncio.create_task(download(name, delay), name=name) for name, delay in jobs.items()]
    for task in tasks:
        await save(await task, saved)
    return saved
