# Never puts a limit on the read: a slow answer is waited for however long it takes.
# expect ex12_3_gives_up_in_time 0
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(name.encode() + b"\n")
        await writer.drain()
        return (await reader.readline()).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()
