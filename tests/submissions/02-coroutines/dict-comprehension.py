# Valid: an async dict comprehension, awaiting each load in turn.
# alternative ex2_3_values_loaded ex2_3_every_load_ran
# %% replace ex2_3_load_all
async def load_all(keys):
    return {key: await load(key) for key in keys}
