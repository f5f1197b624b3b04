# Waits on an event nobody sets inside the handler, and awaits that at the top of a cell: the tests must still
# finish, with the handler's exercises at 0.
# expect ex12_2_answers_every_line 0
# expect ex12_2_closes_when_client_stops 0
# %% replace ex12_2_greet
async def greet(reader, writer):
    await asyncio.Event().wait()
# %% after ex12_2_greet
await asyncio.Event().wait()
