# Drops the outer lock: checks every item, then takes each with take(). Alone it works; two orders at once both see
# the stock before either takes, and one of them fails halfway with part of its order taken.
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    for item, amount in order.items():
        if await store.count(item) < amount:
            raise OutOfStock(item)
    for item, amount in order.items():
        await take(store, item, amount)
