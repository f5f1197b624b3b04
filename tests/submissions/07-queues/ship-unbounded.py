# Uses a queue without a size limit: every line is sent, but the reader never waits and reads the whole log
# ahead of the senders (no backpressure).
# expect ex7_2_reader_waits_for_room 0
# %% replace ex7_2_ship
async def ship(count, senders, maxsize):
    sent = []
    queue = asyncio.Queue()

    async def read():
        for number in range(count):
            await queue.put(await read_line(number))
        for _ in range(senders):
            await queue.put(None)

    async def send():
        while (line := await queue.get()) is not None:
            await send_line(line, sent)

    async with asyncio.TaskGroup() as group:
        group.create_task(read(), name="reader")
        for i in range(1, senders + 1):
            group.create_task(send(), name=f"sender-{i}")
    return sent
