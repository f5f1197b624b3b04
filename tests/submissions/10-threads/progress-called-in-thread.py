# Hands on_progress itself to crunch: the reports arrive on time, but crunch's worker thread makes the calls.
# expect ex10_4_reports_on_the_loop 0
# %% replace ex10_4_crunch_with_progress
async def crunch_with_progress(items, on_progress):
    return await asyncio.to_thread(crunch, items, on_progress)
