# Gives each replica `delay` seconds with wait_for, which cancels it when the time is up: a replica that would
# have answered a moment later is thrown away, and the next one starts only after the first has hung up.
# expect ex13_3_first_answer_wins 0
# expect ex13_3_losers_cleaned_up 0
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    for name in names[:-1]:
        try:
            return await asyncio.wait_for(ask(name), delay)
        except TimeoutError:
            continue
    return await ask(names[-1])
