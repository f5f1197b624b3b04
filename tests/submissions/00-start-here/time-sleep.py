# Waits with time.sleep(1), which blocks the event loop for that second.
# expect ex0_1_waits_without_blocking 0
# %% replace ex0_1_greet
async def greet(name):
    time.sleep(1)
    return f"Hello, {name}!"
