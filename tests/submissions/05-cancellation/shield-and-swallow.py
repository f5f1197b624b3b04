# Shields the save, but on cancellation waits for it and returns "saved": the request swallows its cancellation.
# expect ex5_4_save_survives_cancel 0
# %% replace ex5_4_handle_request
async def handle_request(store, record):
    saving = asyncio.create_task(store.save(record), name="save")
    try:
        await asyncio.shield(saving)
    except asyncio.CancelledError:
        await saving
    return "saved"
