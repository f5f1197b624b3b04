# Looks the loop up inside the callback, which runs in the sensor's thread, where no loop runs: RuntimeError there,
# the sensor's thread dies, and the consumer waits for ever.
# expect ex10_2_every_reading_arrives 0
# expect ex10_2_on_time 0
# %% replace ex10_2_collect
async def collect(sensor):
    queue = asyncio.Queue()
    sensor.start(lambda value: asyncio.get_running_loop().call_soon_threadsafe(queue.put_nowait, value))
    received = []
    while (value := await queue.get()) is not None:
        received.append((asyncio.get_running_loop().time(), value))
    await asyncio.to_thread(sensor.join)
    return received
