# Starts the downloads together but waits for all of them (gather) before saving any, in the order of the jobs.
# expect ex3_3_saves_in_completion_order 0
# %% replace ex3_3_save_as_they_come
async def save_as_they_come(jobs):
    saved = []
    tasks = [asyncio.create_task(download(name, delay), name=name) for name, delay in jobs.items()]
    for name in await asyncio.gather(*tasks):
        await save(name, saved)
    return saved
