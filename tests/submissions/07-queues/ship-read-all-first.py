# Reads the whole log into a list before putting anything on the queue: reading and sending never overlap, and
# the reader is the whole log ahead of the senders.
# expect ex7_2_ships_every_line 0
# expect ex7_2_reader_waits_for_room 0
# %% replace ex7_2_ship
async def ship(count, senders, maxsize):
    sent = []
    queue = asyncio.Queue(maxsize=maxsize)

    async def read():
        lines = [await read_line(number) for number in range(count)]
        for line in lines + [None] * senders:
            await queue.put(line)

    async def send():
        while (line := await queue.get()) is not None:
            await send_line(line, sent)

    async with asyncio.TaskGroup() as group:
        group.create_task(read(), name="reader")
        for i in range(1, senders + 1):
            group.create_task(send(), name=f"sender-{i}")
    return sent
