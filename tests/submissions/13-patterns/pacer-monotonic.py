# Reserves slots correctly but reads the time from time.monotonic() instead of the loop's clock: the slots are
# computed on one clock and slept on another (on virtual time they drift apart at once; on a real loop whose clock
# is not monotonic()'s, too).
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# %% replace ex13_1_pacer
import time


class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.next_start = 0.0

    async def wait(self):
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.interval
        await asyncio.sleep(start - now)
