# Passes ring() instead of ring to call_at: the alarm rings at once, when it is set, and the loop later tries to call
# what ring() returned.
# expect ex9_1_rings_at_the_deadline 0
# expect ex9_1_postpone_and_cancel 0
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.deadline = deadline
        self.handle = self.loop.call_at(deadline, ring())

    def when(self):
        return self.deadline

    def postpone(self, seconds):
        self.handle.cancel()
        self.deadline += seconds
        self.handle = self.loop.call_at(self.deadline, self.ring())

    def cancel(self):
        self.handle.cancel()
