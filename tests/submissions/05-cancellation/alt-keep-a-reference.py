# Valid: keeps a strong reference to the save in a set until it is done (the pattern the asyncio docs recommend for
# background tasks), then waits for it behind shield(). Full marks.
# alternative ex5_4_save_survives_cancel ex5_4_saves_then_returns
# %% replace ex5_4_handle_request
saving_now = set()


async def handle_request(store, record):
    saving = asyncio.get_running_loop().create_task(store.save(record), name="save")
    saving_now.add(saving)
    saving.add_done_callback(saving_now.discard)
    await asyncio.shield(saving)
    return "saved"
