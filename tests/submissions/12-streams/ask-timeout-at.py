# Passes the number of seconds to timeout_at, which takes a point in time on the loop's clock: right while the
# clock starts at 0, and every ask gives up at once when it does not.
# expect ex12_3_gives_up_in_time 0
# %% replace ex12_3_ask
async def ask(port, name, timeout):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(name.encode() + b"\n")
        await writer.drain()
        async with asyncio.timeout_at(timeout):
            return (await reader.readline()).decode().strip()
    except TimeoutError:
        return None
    finally:
        writer.close()
        await writer.wait_closed()
