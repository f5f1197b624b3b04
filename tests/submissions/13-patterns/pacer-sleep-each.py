# Each caller sleeps one interval on its own, without looking at the others: requests that arrive together all
# start together, one interval late.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second

    async def wait(self):
        await asyncio.sleep(self.interval)
