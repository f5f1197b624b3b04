# Closes every writer but returns at once, while the handlers are still finishing.
# expect ex12_4_closes_every_connection 0
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    writers = []

    async def handle(reader, writer):
        writers.append(writer)
        await echo(reader, writer)

    server = await asyncio.start_server(handle, HOST, 0)
    on_port(port_of(server))
    await stop.wait()
    server.close()
    for writer in writers:
        writer.close()
    return len(writers)
