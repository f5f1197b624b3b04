# Calls crunch directly in the coroutine: it blocks the loop for the whole job, and every report lands at the end.
# expect ex10_4_reports_on_the_loop 0
# expect ex10_4_loop_stays_free 0
# %% replace ex10_4_crunch_with_progress
async def crunch_with_progress(items, on_progress):
    loop = asyncio.get_running_loop()
    return crunch(items, lambda done: loop.call_soon_threadsafe(on_progress, done))
