# Loads every key at once with gather: a valid (and faster) answer that must get full marks.
# alternative ex2_3_values_loaded ex2_3_every_load_ran
# %% replace ex2_3_load_all
async def load_all(keys):
    values = await asyncio.gather(*(load(key) for key in keys))
    return dict(zip(keys, values))
