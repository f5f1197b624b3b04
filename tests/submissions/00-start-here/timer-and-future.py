# Valid: sets a one-second timer with call_later that completes a future, and awaits the future.
# alternative ex0_1_returns_greeting ex0_1_waits_without_blocking
# %% replace ex0_1_greet
async def greet(name):
    loop = asyncio.get_running_loop()
    greeting = loop.create_future()
    loop.call_later(1, greeting.set_result, f"Hello, {name}!")
    return await greeting
