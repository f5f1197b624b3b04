# Looks the loop up in the report callback, which runs in the worker thread: no running loop there, RuntimeError.
# expect ex10_4_reports_on_the_loop 0
# expect ex10_4_loop_stays_free 0
# %% replace ex10_4_crunch_with_progress
async def crunch_with_progress(items, on_progress):
    def report(done):
        asyncio.get_running_loop().call_soon_threadsafe(on_progress, done)

    return await asyncio.to_thread(crunch, items, report)
