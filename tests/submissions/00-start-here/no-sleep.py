# Forgets to wait: returns the greeting at once.
# expect ex0_1_waits_without_blocking 0
# %% replace ex0_1_greet
async def greet(name):
    return f"Hello, {name}!"
