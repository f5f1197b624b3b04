# Locks the source, then the target, in the order of the arguments: two opposite transfers deadlock.
# expect ex8_5_no_deadlock 0
# %% replace ex8_5_transfer
async def transfer(bank, source, target, amount):
    source, target = bank.accounts[source], bank.accounts[target]
    async with source.lock:
        balance = await source.read()
        async with target.lock:
            await source.write(balance - amount)
            await target.write(await target.read() + amount)
