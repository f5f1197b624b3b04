# Treats the loop's clock as if it started at 0: waits until loop.time() reads 1 (call_at), not for one second.
# expect ex0_1_waits_without_blocking 0
# %% replace ex0_1_greet
async def greet(name):
    loop = asyncio.get_running_loop()
    woken = loop.create_future()
    loop.call_at(1, woken.set_result, None)
    await woken
    return f"Hello, {name}!"
