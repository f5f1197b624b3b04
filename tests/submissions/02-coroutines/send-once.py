# Sends once and takes what send() returned as the result: the coroutine only reached its first suspension.
# expect ex2_5_returns_result 0
# expect ex2_5_counts_suspensions 0
# %% replace ex2_5_drive
def drive(coro):
    try:
        return coro.send(None), 1
    except StopIteration as stop:
        return stop.value, 0
