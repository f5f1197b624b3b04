# Serialises callers with a lock, but a caller that comes within an interval of the last start waits a whole
# interval instead of the rest of it: starts drift later than the rate allows.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()
        self.last = None

    async def wait(self):
        loop = asyncio.get_running_loop()
        async with self.lock:
            if self.last is not None and loop.time() - self.last < self.interval:
                await asyncio.sleep(self.interval)
            self.last = loop.time()
