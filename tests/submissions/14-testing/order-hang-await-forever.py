# Waits on an event nobody sets after taking the lock: a deadlock in the tests (reported at once), and at the top of
# a cell of its own it awaits forever on the kernel's loop.
# expect ex14_4_no_deadlock 0
# expect ex14_4_never_oversells 0
# %% replace ex14_4_place_order
async def place_order(store, order):
    async with store.lock:
        await asyncio.Event().wait()
# %% after ex14_4_place_order
await place_order(Store({"tea": 1}), {"tea": 1})
