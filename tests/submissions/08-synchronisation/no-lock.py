# Reads and writes the balance without the lock: deposits that run at once read the same old balance.
# expect ex8_1_no_lost_updates 0
# expect ex8_1_receipts_overlap 0
# %% replace ex8_1_deposit
async def deposit(account, amount):
    balance = await account.read() + amount
    await account.write(balance)
    await send_receipt(account, amount)
    return balance
