# Calls asyncio.run() in the worker thread: each lookup runs on a second, private loop (one after the other, on
# the real clock), not on the loop it was given.
# expect ex10_1_answers_from_the_loop 0
# expect ex10_1_lookups_overlap 0
# %% replace ex10_1_lookup_all
def lookup_all(loop, names):
    return [asyncio.run(lookup(name)) for name in names]
