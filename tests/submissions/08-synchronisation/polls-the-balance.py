# No condition: each withdrawal looks at the balance every 0.1 s until it is enough.
# expect ex8_3_waits_for_money 0
# expect ex8_3_never_overdrawn 0
# expect ex8_3_wakes_everyone_who_can 0
# %% replace ex8_3_wallet
class Wallet:
    def __init__(self, balance=0):
        self.balance = balance
        self.changed = asyncio.Condition()

    async def deposit(self, amount):
        self.balance += amount

    async def withdraw(self, amount):
        while self.balance < amount:
            await asyncio.sleep(0.1)
        self.balance -= amount
        return self.balance
