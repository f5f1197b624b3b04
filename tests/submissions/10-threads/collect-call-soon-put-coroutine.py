# Passes the coroutine function queue.put to call_soon_threadsafe: the loop calls it, makes a coroutine and drops
# it (never awaited), so nothing is ever put.
# expect ex10_2_every_reading_arrives 0
# expect ex10_2_on_time 0
# %% replace ex10_2_collect
async def collect(sensor):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    sensor.start(lambda value: loop.call_soon_threadsafe(queue.put, value))
    received = []
    while (value := await queue.get()) is not None:
        received.append((loop.time(), value))
    await asyncio.to_thread(sensor.join)
    return received
