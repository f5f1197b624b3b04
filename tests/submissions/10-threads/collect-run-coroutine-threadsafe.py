# alternative ex10_2_every_reading_arrives ex10_2_on_time
# Puts each reading with run_coroutine_threadsafe(queue.put(value), loop), and reads them with an async generator.
# %% replace ex10_2_collect
async def collect(sensor):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def readings():
        while True:
            value = await queue.get()
            if value is None:
                return
            yield value

    sensor.start(lambda value: asyncio.run_coroutine_threadsafe(queue.put(value), loop))
    received = [(loop.time(), value) async for value in readings()]
    await loop.run_in_executor(None, sensor.join)
    return received
