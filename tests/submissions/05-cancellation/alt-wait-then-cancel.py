# Valid: asyncio.wait(timeout=) on a task of its own; when the limit passes, it cancels that task and waits for it to
# end before returning the default. Full marks.
# alternative ex5_3_fallback_at_the_limit ex5_3_fast_answer_unchanged
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    task = asyncio.create_task(fetch)
    done, _ = await asyncio.wait({task}, timeout=limit)
    if task in done:
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return default
