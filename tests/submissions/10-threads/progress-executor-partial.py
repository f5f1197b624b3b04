# alternative ex10_4_reports_on_the_loop ex10_4_loop_stays_free
# run_in_executor, with the report made by functools.partial.
# %% replace ex10_4_crunch_with_progress
async def crunch_with_progress(items, on_progress):
    loop = asyncio.get_running_loop()
    report = functools.partial(loop.call_soon_threadsafe, on_progress)
    return await loop.run_in_executor(None, crunch, items, report)
