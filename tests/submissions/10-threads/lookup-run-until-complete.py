# Asks the given loop to run each lookup with run_until_complete(), from another thread, while that loop is
# already running: RuntimeError.
# expect ex10_1_answers_from_the_loop 0
# expect ex10_1_lookups_overlap 0
# %% replace ex10_1_lookup_all
def lookup_all(loop, names):
    return [loop.run_until_complete(lookup(name)) for name in names]
