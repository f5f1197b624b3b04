# Valid: no sentinels; waits for the reader, then for queue.join(), then cancels the senders and awaits them.
# alternative ex7_2_ships_every_line ex7_2_reader_waits_for_room
# %% replace ex7_2_ship
async def ship(count, senders, maxsize):
    sent = []
    queue = asyncio.Queue(maxsize)

    async def read():
        for number in range(count):
            line = await read_line(number)
            await queue.put(line)

    async def send():
        while True:
            line = await queue.get()
            try:
                await send_line(line, sent)
            finally:
                queue.task_done()

    sending = [asyncio.create_task(send(), name=f"sender-{i + 1}") for i in range(senders)]
    await asyncio.create_task(read(), name="reader")
    await queue.join()
    for task in sending:
        task.cancel()
    await asyncio.gather(*sending, return_exceptions=True)
    return sent
