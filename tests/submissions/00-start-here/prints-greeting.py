# Prints the greeting instead of returning it, so greet gives back None.
# expect ex0_1_returns_greeting 0
# %% replace ex0_1_greet
async def greet(name):
    await asyncio.sleep(1)
    print(f"Hello, {name}!")
