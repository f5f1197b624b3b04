# Puts with put_nowait() on the bounded queue, expecting it to wait for room: it raises QueueFull instead.
# expect ex7_2_ships_every_line 0
# expect ex7_2_reader_waits_for_room 0
# %% replace ex7_2_ship
async def ship(count, senders, maxsize):
    sent = []
    queue = asyncio.Queue(maxsize=maxsize)

    async def read():
        for number in range(count):
            queue.put_nowait(await read_line(number))
        for _ in range(senders):
            queue.put_nowait(None)

    async def send():
        while (line := await queue.get()) is not None:
            await send_line(line, sent)

    async with asyncio.TaskGroup() as group:
        group.create_task(read(), name="reader")
        for i in range(1, senders + 1):
            group.create_task(send(), name=f"sender-{i}")
    return sent
