# Runs each take() in a task of its own, as if a new task could use the lock the order holds: the task waits for
# the lock, and the order waits for the task.
# expect ex14_4_no_deadlock 0
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    async with store.lock:
        for item, amount in order.items():
            if await store.count(item) < amount:
                raise OutOfStock(item)
        for item, amount in order.items():
            await asyncio.create_task(take(store, item, amount))
