# Valid: a lock taken by each caller and given back one interval later by a timer (notebook 08's rate limit with
# a single slot).
# alternative ex13_1_evenly_spaced ex13_1_no_wait_when_idle
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()

    async def wait(self):
        await self.lock.acquire()
        asyncio.get_running_loop().call_later(self.interval, self.lock.release)
