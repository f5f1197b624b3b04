# One lock for the whole bank: no deadlock and no lost update, but every transfer waits for every other one.
# expect ex8_5_unrelated_transfers_overlap 0
# %% replace ex8_5_transfer
async def transfer(bank, source, target, amount):
    async with bank.lock:
        source, target = bank.accounts[source], bank.accounts[target]
        await source.write(await source.read() - amount)
        await target.write(await target.read() + amount)
