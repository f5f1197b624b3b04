# Starts the save and returns at once without waiting for it: "saved" before anything is saved.
# expect ex5_4_save_survives_cancel 0
# expect ex5_4_saves_then_returns 0
# %% replace ex5_4_handle_request
async def handle_request(store, record):
    asyncio.create_task(store.save(record), name="save")
    return "saved"
