# Serves inside async with server: leaving the block closes the listening socket, but not the connections.
# expect ex12_4_closes_every_connection 0
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    count = [0]

    async def handle(reader, writer):
        count[0] += 1
        await echo(reader, writer)

    async with await asyncio.start_server(handle, HOST, 0) as server:
        on_port(server.sockets[0].getsockname()[1])
        await stop.wait()
    return count[0]
