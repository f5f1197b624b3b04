# Waits for each answer before it hands the next lookup to the loop: right answers, but one lookup at a time.
# expect ex10_1_lookups_overlap 0
# %% replace ex10_1_lookup_all
def lookup_all(loop, names):
    answers = []
    for name in names:
        answers.append(asyncio.run_coroutine_threadsafe(lookup(name), loop).result())
    return answers
