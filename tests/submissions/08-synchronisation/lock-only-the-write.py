# Locks the write only ("the write is what changes the account"): the reads still interleave.
# expect ex8_1_no_lost_updates 0
# expect ex8_1_receipts_overlap 0
# %% replace ex8_1_deposit
async def deposit(account, amount):
    balance = await account.read() + amount
    async with account.lock:
        await account.write(balance)
    await send_receipt(account, amount)
    return balance
