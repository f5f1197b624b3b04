# Keeps the outer lock and calls take() for each item: take() asks for the lock the order already holds.
# expect ex14_4_no_deadlock 0
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    async with store.lock:
        for item, amount in order.items():
            if await store.count(item) < amount:
                raise OutOfStock(item)
        for item, amount in order.items():
            await take(store, item, amount)
