# Takes the lock with acquire() and gives it back in a finally block instead of `async with`.
# alternative ex8_1_no_lost_updates ex8_1_receipts_overlap
# %% replace ex8_1_deposit
async def deposit(account, amount):
    await account.lock.acquire()
    try:
        new_balance = await account.read() + amount
        await account.write(new_balance)
    finally:
        account.lock.release()
    await send_receipt(account, amount)
    return new_balance
