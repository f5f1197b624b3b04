# Valid: a dict from each open connection's writer to its handler task; at stop, aborts the transports (the
# handlers' reads end) and waits for the tasks with asyncio.wait.
# alternative ex12_4_closes_every_connection ex12_4_stops_accepting
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    open_connections = {}
    total = 0

    async def handle(reader, writer):
        nonlocal total
        total += 1
        open_connections[writer] = asyncio.current_task()
        try:
            await echo(reader, writer)
        finally:
            del open_connections[writer]

    server = await asyncio.start_server(handle, HOST, 0)
    on_port(server.sockets[0].getsockname()[1])
    try:
        await stop.wait()
    finally:
        server.close()
        handlers = list(open_connections.values())
        for writer in list(open_connections):
            writer.transport.abort()
        if handlers:
            await asyncio.wait(handlers)
    return total
