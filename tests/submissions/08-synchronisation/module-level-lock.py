# One global lock made at the top of the cell: it belongs to the first event loop that waits on it, so the
# next run (every check runs a new loop) fails with RuntimeError.
# expect ex8_5_no_deadlock 0
# expect ex8_5_unrelated_transfers_overlap 0
# %% replace ex8_5_transfer
transfer_lock = asyncio.Lock()


async def transfer(bank, source, target, amount):
    async with transfer_lock:
        source, target = bank.accounts[source], bank.accounts[target]
        await source.write(await source.read() - amount)
        await target.write(await target.read() + amount)
