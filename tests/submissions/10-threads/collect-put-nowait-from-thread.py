# Hands queue.put_nowait to the sensor as its callback: the sensor's thread touches the queue directly, the loop is
# never woken, and the consumer waits for ever (a deadlock in the checks).
# expect ex10_2_every_reading_arrives 0
# expect ex10_2_on_time 0
# %% replace ex10_2_collect
async def collect(sensor):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    sensor.start(queue.put_nowait)
    received = []
    while (value := await queue.get()) is not None:
        received.append((loop.time(), value))
    await asyncio.to_thread(sensor.join)
    return received
