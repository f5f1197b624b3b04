# Valid: lets asyncio.sleep hand back the greeting (sleep's result= argument) instead of returning it separately.
# alternative ex0_1_returns_greeting ex0_1_waits_without_blocking
# %% replace ex0_1_greet
async def greet(name):
    return await asyncio.sleep(1.0, result="Hello, " + name + "!")
