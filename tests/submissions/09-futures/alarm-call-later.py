# Treats the deadline as a delay: call_later(deadline, ...). At a clock that does not start at 0 (the checks start at
# 100), the alarm is due `deadline` seconds after it was set, long after the program ended.
# expect ex9_1_rings_at_the_deadline 0
# expect ex9_1_postpone_and_cancel 0
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.handle = self.loop.call_later(deadline, ring)

    def when(self):
        return self.handle.when()

    def postpone(self, seconds):
        self.handle.cancel()
        self.handle = self.loop.call_at(self.handle.when() + seconds, self.ring)

    def cancel(self):
        self.handle.cancel()
