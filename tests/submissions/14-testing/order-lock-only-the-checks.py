# Holds the lock for the checks only, and takes the items after releasing it: another order can check the same
# stock in between, so one of them fails halfway.
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    async with store.lock:
        for item, amount in order.items():
            if await store.count(item) < amount:
                raise OutOfStock(item)
    for item, amount in order.items():
        await take(store, item, amount)
