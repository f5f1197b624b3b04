# The bug of section 3 left in: the values are coroutine objects that never run.
# expect ex2_3_values_loaded 0
# expect ex2_3_every_load_ran 0
# %% replace ex2_3_load_all
async def load_all(keys):
    values = {}
    for key in keys:
        values[key] = load(key)
    return values
