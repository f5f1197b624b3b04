# alternative ex10_1_answers_from_the_loop ex10_1_lookups_overlap
# Submits everything, waits with concurrent.futures.wait(), then reads the results by name.
# %% replace ex10_1_lookup_all
def lookup_all(loop, names):
    futures = {name: asyncio.run_coroutine_threadsafe(lookup(name), loop) for name in names}
    concurrent.futures.wait(futures.values())
    return [futures[name].result() for name in names]
