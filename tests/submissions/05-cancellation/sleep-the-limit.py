# Starts the fetch as a task, always sleeps the whole limit, then looks: a fast answer waits for the limit too.
# expect ex5_3_fast_answer_unchanged 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    task = asyncio.create_task(fetch)
    await asyncio.sleep(limit)
    if task.done():
        return task.result()
    task.cancel()
    return default
