# Drives the coroutine with next(), as with a generator: a coroutine is not an iterator.
# expect ex2_5_returns_result 0
# expect ex2_5_counts_suspensions 0
# %% replace ex2_5_drive
def drive(coro):
    suspensions = 0
    while True:
        try:
            next(coro)
        except StopIteration as stop:
            return stop.value, suspensions
        suspensions += 1
