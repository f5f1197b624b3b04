# Believes asyncio.wait(timeout=) raises TimeoutError like wait_for(): at the limit it just returns, the fetch is not
# done, and task.result() raises InvalidStateError.
# expect ex5_3_fallback_at_the_limit 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    task = asyncio.create_task(fetch)
    try:
        await asyncio.wait({task}, timeout=limit)
        return task.result()
    except TimeoutError:
        task.cancel()
        return default
