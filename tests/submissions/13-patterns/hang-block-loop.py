# Waits with time.sleep(10**6) inside the coroutine: it blocks the event loop (in the tests: stopped at the end of
# virtual time), and at the top of a cell it blocks the kernel's own loop for real.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# %% replace ex13_1_pacer
import time


class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.next_start = None

    async def wait(self):
        time.sleep(10**6)
# %% after ex13_1_pacer
await Pacer(1).wait()
