# Waits on an event nobody sets after saving: a deadlock in the tests (reported at once), and at the top
# of a cell of its own it awaits forever on the kernel's loop.
# expect ex5_4_saves_then_returns 0
# %% replace ex5_4_handle_request
async def handle_request(store, record):
    saving = asyncio.create_task(store.save(record), name="save")
    await asyncio.shield(saving)
    await asyncio.Event().wait()
    return "saved"
# %% after ex5_4_handle_request
await handle_request(Store(), "x")
