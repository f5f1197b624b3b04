# Sorts the two accounts by id() and enters their locks with an AsyncExitStack.
# alternative ex8_5_no_deadlock ex8_5_unrelated_transfers_overlap
# %% replace ex8_5_transfer
import contextlib


async def transfer(bank, source, target, amount):
    source, target = bank.accounts[source], bank.accounts[target]
    async with contextlib.AsyncExitStack() as stack:
        for account in sorted([source, target], key=id):
            await stack.enter_async_context(account.lock)
        source_balance = await source.read()
        target_balance = await target.read()
        await source.write(source_balance - amount)
        await target.write(target_balance + amount)
