# Hands the coroutine to the running loop and spins until it is done: the loop never gets a turn, so the
# grader's interrupt has to stop the spin.
# expect ex2_5_returns_result 0
# expect ex2_5_counts_suspensions 0
# %% replace ex2_5_drive
def drive(coro):
    task = asyncio.ensure_future(coro)
    while not task.done():
        pass
    return task.result(), 0
