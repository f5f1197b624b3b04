# Wakes one withdrawal per deposit with notify(): the one woken may not be covered while another would be.
# expect ex8_3_never_overdrawn 0
# expect ex8_3_wakes_everyone_who_can 0
# %% replace ex8_3_wallet
class Wallet:
    def __init__(self, balance=0):
        self.balance = balance
        self.changed = asyncio.Condition()

    async def deposit(self, amount):
        async with self.changed:
            self.balance += amount
            self.changed.notify()

    async def withdraw(self, amount):
        async with self.changed:
            await self.changed.wait_for(lambda: self.balance >= amount)
            self.balance -= amount
            return self.balance
