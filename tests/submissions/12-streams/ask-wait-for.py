# Valid: wait_for on the read, asyncio.TimeoutError (the same class as TimeoutError since 3.11), and a close on each
# path instead of a finally.
# alternative ex12_3_gives_up_in_time ex12_3_closes_every_time
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"{name}\n".encode())
    try:
        answer = await asyncio.wait_for(reader.readline(), timeout)
    except asyncio.TimeoutError:
        writer.close()
        await writer.wait_closed()
        return None
    writer.close()
    await writer.wait_closed()
    return answer.decode().rstrip("\n")
