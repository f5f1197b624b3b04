# Awaits the save task directly, without shield(): cancelling the request cancels the save too.
# expect ex5_4_save_survives_cancel 0
# %% replace ex5_4_handle_request
async def handle_request(store, record):
    saving = asyncio.create_task(store.save(record), name="save")
    await saving
    return "saved"
