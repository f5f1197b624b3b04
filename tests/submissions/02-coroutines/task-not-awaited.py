# Wraps each load in a task but never awaits the tasks: the values are Task objects, and the loads are
# cut short when the program ends.
# expect ex2_3_values_loaded 0
# expect ex2_3_every_load_ran 0
# %% replace ex2_3_load_all
async def load_all(keys):
    values = {}
    for key in keys:
        values[key] = asyncio.create_task(load(key))
    return values
