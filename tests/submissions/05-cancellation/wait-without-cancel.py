# Waits with asyncio.wait(timeout=) and returns the default when the fetch is not done, but never cancels it: the
# fetch is still running when fetch_or_default returns (asyncio.run would cancel it later, unseen).
# expect ex5_3_fallback_at_the_limit 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    task = asyncio.ensure_future(fetch)
    done, _ = await asyncio.wait({task}, timeout=limit)
    return task.result() if task in done else default
