# Drives the coroutine with asyncio.run(): in a notebook a loop is already running, so it raises.
# expect ex2_5_returns_result 0
# expect ex2_5_counts_suspensions 0
# %% replace ex2_5_drive
def drive(coro):
    return asyncio.run(coro), 0
