# Takes the lock with acquire() and a finally, reads all counts at once with gather, then writes them all at once.
# alternative ex14_4_no_deadlock ex14_4_never_oversells
# %% replace ex14_4_place_order
async def place_order(store, order):
    await store.lock.acquire()
    try:
        items = list(order)
        counts = await asyncio.gather(*(store.count(item) for item in items))
        for item, count in zip(items, counts):
            if count < order[item]:
                raise OutOfStock(item)
        await asyncio.gather(*(store.set_count(item, count - order[item]) for item, count in zip(items, counts)))
    finally:
        store.lock.release()
