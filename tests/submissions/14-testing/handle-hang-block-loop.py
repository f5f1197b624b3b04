# Blocks with time.sleep(10**6) in the handler (in the tests: stopped at the end of virtual time), and calls it at
# the top of a cell, where it blocks the kernel's own loop for real.
# expect ex14_3_never_blocks 0
# %% replace ex14_3_handle
async def handle(user_id):
    time.sleep(10**6)
    return "never"
# %% after ex14_3_handle
await handle(1)
