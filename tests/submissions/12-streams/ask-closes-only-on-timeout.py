# Closes the connection only when the time is up, as if the server closed it after answering: after an answer the
# writer is left open, and closed later by the garbage collector (ResourceWarning: unclosed StreamWriter).
# expect ex12_3_closes_every_time 0
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(name.encode() + b"\n")
    await writer.drain()
    try:
        async with asyncio.timeout(timeout):
            return (await reader.readline()).decode().strip()
    except TimeoutError:
        writer.close()
        await writer.wait_closed()
        return None
