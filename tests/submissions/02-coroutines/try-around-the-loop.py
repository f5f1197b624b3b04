# Valid: the try statement around the whole loop, counting each send that did not finish the coroutine.
# alternative ex2_5_returns_result ex2_5_counts_suspensions
# %% replace ex2_5_drive
def drive(coro):
    count = 0
    try:
        while True:
            coro.send(None)
            count += 1
    except StopIteration as finished:
        return finished.value, count
