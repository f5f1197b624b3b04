# Valid: asyncio.wait(..., return_when=FIRST_COMPLETED) in a loop instead of as_completed; downloads that finish
# together are saved in the order of the jobs.
# alternative ex3_3_saves_in_completion_order ex3_3_downloads_overlap
# %% replace ex3_3_save_as_they_come
async def save_as_they_come(jobs):
    saved = []
    pending = [asyncio.create_task(download(name, delay), name=name) for name, delay in jobs.items()]
    while pending:
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in [t for t in pending if t in done]:
            await save(task.result(), saved)
        pending = [t for t in pending if t not in done]
    return saved
