# Puts the time limit on connecting, which is instant, and none on the answer.
# expect ex12_3_gives_up_in_time 0
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except TimeoutError:
        return None
    try:
        writer.write(name.encode() + b"\n")
        await writer.drain()
        return (await reader.readline()).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()
