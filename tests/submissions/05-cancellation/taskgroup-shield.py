# Starts the save in a TaskGroup and shields it: when the request is cancelled, the TaskGroup cancels the save it
# holds, shield or not.
# expect ex5_4_save_survives_cancel 0
# %% replace ex5_4_handle_request
async def handle_request(store, record):
    async with asyncio.TaskGroup() as group:
        saving = group.create_task(store.save(record), name="save")
        await asyncio.shield(saving)
    return "saved"
