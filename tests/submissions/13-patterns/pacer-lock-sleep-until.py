# Valid: callers queue on a lock; the one holding it sleeps until the last start plus one interval, if that is
# still ahead, then notes its own start.
# alternative ex13_1_evenly_spaced ex13_1_no_wait_when_idle
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()
        self.last_start = -float("inf")

    async def wait(self):
        loop = asyncio.get_running_loop()
        async with self.lock:
            delay = self.last_start + self.interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.last_start = loop.time()
