# Waits on an event nobody sets instead of running anything: a deadlock in the tests (reported at once), and at
# the top of a cell of its own it awaits for ever on the kernel's loop.
# expect ex11_4_bounded_and_concurrent 0
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    await asyncio.Event().wait()
# %% after ex11_4_run_all
await run_all([], 1)
