# Postpones by scheduling a new timer without cancelling the old one: the alarm rings at every deadline it ever had.
# expect ex9_1_postpone_and_cancel 0
# %% replace ex9_1_alarm
class Alarm:
    def __init__(self, deadline, ring):
        self.loop = asyncio.get_running_loop()
        self.ring = ring
        self.handles = [self.loop.call_at(deadline, ring)]

    def when(self):
        return self.handles[-1].when()

    def postpone(self, seconds):
        self.handles.append(self.loop.call_at(self.when() + seconds, self.ring))

    def cancel(self):
        for handle in self.handles:
            handle.cancel()
