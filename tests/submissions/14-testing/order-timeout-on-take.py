# Puts a time limit on each take() so that the wait for the lock cannot last for ever: every take times out, and
# the order fails with TimeoutError.
# expect ex14_4_no_deadlock 0
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    async with store.lock:
        for item, amount in order.items():
            if await store.count(item) < amount:
                raise OutOfStock(item)
        for item, amount in order.items():
            async with asyncio.timeout(1):
                await take(store, item, amount)
