# Closes the connection only after a answer: when the time is up it returns None and leaves the connection open.
# expect ex12_3_closes_every_time 0
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(name.encode() + b"\n")
    await writer.drain()
    try:
        async with asyncio.timeout(timeout):
            answer = await reader.readline()
    except TimeoutError:
        return None
    writer.close()
    await writer.wait_closed()
    return answer.decode().strip()
