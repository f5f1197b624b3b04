# Waits on an event nobody sets after the first answer: a deadlock in the tests (reported at once), and at the top
# of a cell of its own it awaits forever on the kernel's loop.
# expect ex13_3_first_answer_wins 0
# expect ex13_3_losers_cleaned_up 0
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    answer = await ask(names[0])
    await asyncio.Event().wait()
    return answer
# %% after ex13_3_hedged
await hedged(Replicas({"x": 0.1}).ask, ["x"], 1)
