# Counts every send, the last one (that raised StopIteration) included: one suspension too many.
# expect ex2_5_counts_suspensions 0
# %% replace ex2_5_drive
def drive(coro):
    sends = 0
    while True:
        sends += 1
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value, sends
