# Looks at the last start, but writes it down only after sleeping: callers that arrive together all see the same
# last start, sleep the same time, and start in a burst. A lone late caller waits correctly.
# expect ex13_1_evenly_spaced 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.last = None

    async def wait(self):
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.last is not None and now - self.last < self.interval:
            await asyncio.sleep(self.last + self.interval - now)
        self.last = loop.time()
