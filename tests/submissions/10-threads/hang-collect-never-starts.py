# Never starts the sensor, so nothing ever arrives: a deadlock in the checks (reported at once), and at the top of a
# cell of its own it awaits for ever on the kernel's loop.
# expect ex10_2_every_reading_arrives 0
# expect ex10_2_on_time 0
# %% replace ex10_2_collect
async def collect(sensor):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    received = []
    while (value := await queue.get()) is not None:
        received.append((loop.time(), value))
    return received
# %% after ex10_2_collect
await collect(Sensor([1, 2], 0.5))
