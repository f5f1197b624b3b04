# Makes a new lock in every call: no other deposit ever waits for it, so it protects nothing.
# expect ex8_1_no_lost_updates 0
# expect ex8_1_receipts_overlap 0
# %% replace ex8_1_deposit
async def deposit(account, amount):
    async with asyncio.Lock():
        balance = await account.read() + amount
        await account.write(balance)
    await send_receipt(account, amount)
    return balance
