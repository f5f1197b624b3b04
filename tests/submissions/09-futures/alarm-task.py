# Valid: a task per alarm that sleeps until the deadline, then rings; postpone() and cancel() cancel that task (a
# cancelled sleep withdraws its timer), and postpone() starts a new one.
# alternative ex9_1_rings_at_the_deadline ex9_1_postpone_and_cancel
# %% replace ex9_1_alarm
class Alarm:
    """Call ``ring()`` once, when the loop's clock reaches ``deadline``; it can be postponed or cancelled."""

    def __init__(self, deadline, ring):
        self.ring = ring
        self.deadline = deadline
        self.task = asyncio.create_task(self._wait())

    async def _wait(self):
        await asyncio.sleep(self.deadline - asyncio.get_running_loop().time())
        self.ring()

    def when(self):
        return self.deadline

    def postpone(self, seconds):
        self.task.cancel()
        self.deadline += seconds
        self.task = asyncio.create_task(self._wait())

    def cancel(self):
        self.task.cancel()
