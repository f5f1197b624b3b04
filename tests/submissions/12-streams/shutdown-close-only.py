# Relies on server.close() and wait_closed(): on 3.11 they leave the open connections and their handlers running
# (from 3.12.1 wait_closed() waits for the clients to leave by themselves).
# expect ex12_4_closes_every_connection 0
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    served = 0

    async def handle(reader, writer):
        nonlocal served
        served += 1
        await echo(reader, writer)

    server = await asyncio.start_server(handle, HOST, 0)
    on_port(port_of(server))
    await stop.wait()
    server.close()
    await server.wait_closed()
    return served
