# A while loop around wait() instead of wait_for(), with the check in a helper method.
# alternative ex8_3_waits_for_money ex8_3_never_overdrawn ex8_3_wakes_everyone_who_can
# %% replace ex8_3_wallet
class Wallet:
    def __init__(self, balance=0):
        self.balance = balance
        self.changed = asyncio.Condition()

    def _covers(self, amount):
        return self.balance >= amount

    async def deposit(self, amount):
        async with self.changed:
            self.balance += amount
            self.changed.notify_all()

    async def withdraw(self, amount):
        async with self.changed:
            while not self._covers(amount):
                await self.changed.wait()
            self.balance -= amount
            return self.balance
