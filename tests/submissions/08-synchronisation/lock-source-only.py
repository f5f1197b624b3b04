# Locks only the source account ("that is where the money leaves"): updates of the target get lost.
# expect ex8_5_no_deadlock 0
# %% replace ex8_5_transfer
async def transfer(bank, source, target, amount):
    source, target = bank.accounts[source], bank.accounts[target]
    async with source.lock:
        await source.write(await source.read() - amount)
        await target.write(await target.read() + amount)
