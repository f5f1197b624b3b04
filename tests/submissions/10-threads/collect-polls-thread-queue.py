# Uses the thread-safe queue.Queue and looks into it every 0.2 s: every reading arrives, but late.
# expect ex10_2_on_time 0
# %% replace ex10_2_collect
import queue as thread_queue


async def collect(sensor):
    loop = asyncio.get_running_loop()
    readings = thread_queue.Queue()
    sensor.start(readings.put)
    received = []
    while True:
        try:
            value = readings.get_nowait()
        except thread_queue.Empty:
            await asyncio.sleep(0.2)
            continue
        if value is None:
            break
        received.append((loop.time(), value))
    await asyncio.to_thread(sensor.join)
    return received
