# Asks every replica at once instead of one delay apart: the first answer is the fastest replica's, but servers
# that should never have been asked are, and hang up.
# expect ex13_3_first_answer_wins 0
# expect ex13_3_losers_cleaned_up 0
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    tasks = [asyncio.create_task(ask(name)) for name in names]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return next(task for task in tasks if task in done).result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
