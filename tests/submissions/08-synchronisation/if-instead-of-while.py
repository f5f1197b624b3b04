# Waits once with `if` and takes the money when woken, without checking the balance again (overdraws as soon as
# a deposit wakes a withdrawal it does not cover).
# expect ex8_3_waits_for_money 0
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
            self.changed.notify_all()

    async def withdraw(self, amount):
        async with self.changed:
            if self.balance < amount:
                await self.changed.wait()
            self.balance -= amount
            return self.balance
