# Valid: keeps the deadline itself and schedules with call_later(deadline - loop.time()), which is the same instant.
# alternative ex9_1_rings_at_the_deadline ex9_1_postpone_and_cancel
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.deadline = deadline
        self.handle = None
        self._schedule()

    def _schedule(self):
        if self.handle is not None:
            self.handle.cancel()
        self.handle = self.loop.call_later(self.deadline - self.loop.time(), self.ring)

    def when(self):
        return self.deadline

    def postpone(self, seconds):
        self.deadline += seconds
        self._schedule()

    def cancel(self):
        self.handle.cancel()
        self.handle = None
