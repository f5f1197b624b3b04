# Returns a greeting for the name in the example, whatever name it is given.
# expect ex0_1_returns_greeting 0
# %% replace ex0_1_greet
async def greet(name):
    await asyncio.sleep(1)
    return "Hello, Ada!"
