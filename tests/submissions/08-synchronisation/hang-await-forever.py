# Waits on an event nobody sets after each deposit: a deadlock in the tests (reported at once), and at the top
# of a cell of its own it awaits forever on the kernel's loop.
# expect ex8_1_no_lost_updates 0
# expect ex8_1_receipts_overlap 0
# %% replace ex8_1_deposit
async def deposit(account, amount):
    async with account.lock:
        balance = await account.read() + amount
        await account.write(balance)
    await send_receipt(account, amount)
    await asyncio.Event().wait()
    return balance
# %% after ex8_1_deposit
await deposit(Account("x", 0), 1)
