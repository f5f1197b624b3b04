# Closes the open connections and waits for their handlers, but never closes the server: it still accepts
# connections after serve_until has returned.
# expect ex12_4_stops_accepting 0
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    writers = set()
    handlers = set()
    served = 0

    async def handle(reader, writer):
        nonlocal served
        served += 1
        writers.add(writer)
        handlers.add(asyncio.current_task())
        try:
            await echo(reader, writer)
        finally:
            writers.discard(writer)
            handlers.discard(asyncio.current_task())

    server = await asyncio.start_server(handle, HOST, 0)
    on_port(port_of(server))
    await stop.wait()
    for writer in writers:
        writer.close()
    await asyncio.gather(*handlers)
    return served
