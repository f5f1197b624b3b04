# Passes coroutines to asyncio.wait, which has refused them since Python 3.11 (TypeError).
# expect ex9_4_first_one_wins 0
# expect ex9_4_losers_cancelled_and_awaited 0
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    done, pending = await asyncio.wait(
        [download(name, seconds, closed) for name, seconds in mirrors.items()], return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    return done.pop().result()
