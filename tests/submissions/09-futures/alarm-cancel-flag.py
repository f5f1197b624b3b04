# Cancels with a flag that the ring checks: it never rings, but its timer stays scheduled on the loop until it is due.
# expect ex9_1_postpone_and_cancel 0
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.cancelled = False
        self.handle = self.loop.call_at(deadline, self._ring)

    def _ring(self):
        if not self.cancelled:
            self.ring()

    def when(self):
        return self.handle.when()

    def postpone(self, seconds):
        self.handle.cancel()
        self.handle = self.loop.call_at(self.handle.when() + seconds, self._ring)

    def cancel(self):
        self.cancelled = True
