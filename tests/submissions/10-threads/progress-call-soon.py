# Uses loop.call_soon() from the worker thread: with debug mode on, asyncio raises RuntimeError there.
# expect ex10_4_reports_on_the_loop 0
# expect ex10_4_loop_stays_free 0
# %% replace ex10_4_crunch_with_progress
async def crunch_with_progress(items, on_progress):
    loop = asyncio.get_running_loop()
    return await asyncio.to_thread(crunch, items, lambda done: loop.call_soon(on_progress, done))
