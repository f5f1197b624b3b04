# Postpones from now (call_later(seconds)) instead of from when the alarm was due.
# expect ex9_1_postpone_and_cancel 0
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.handle = self.loop.call_at(deadline, ring)

    def when(self):
        return self.handle.when()

    def postpone(self, seconds):
        self.handle.cancel()
        self.handle = self.loop.call_later(seconds, self.ring)

    def cancel(self):
        self.handle.cancel()
