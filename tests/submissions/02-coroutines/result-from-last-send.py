# Takes the value the last send() returned as the result instead of StopIteration.value; counts right.
# expect ex2_5_returns_result 0
# %% replace ex2_5_drive
def drive(coro):
    suspensions, result = 0, None
    while True:
        try:
            result = coro.send(None)
        except StopIteration:
            return result, suspensions
        suspensions += 1
