# Sends the receipt inside the locked block: no update is lost, but the one-second receipts take turns.
# expect ex8_1_receipts_overlap 0
# %% replace ex8_1_deposit
async def deposit(account, amount):
    async with account.lock:
        balance = await account.read() + amount
        await account.write(balance)
        await send_receipt(account, amount)
    return balance
