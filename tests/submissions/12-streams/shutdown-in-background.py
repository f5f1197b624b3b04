# Starts serve_forever() in a background task and returns at once, without waiting for stop: the server is never
# stopped, its connections never closed, and the task is left running.
# expect ex12_4_closes_every_connection 0
# expect ex12_4_stops_accepting 0
# %% replace ex12_4_serve_until
async def serve_until(stop, on_port):
    server = await asyncio.start_server(echo, HOST, 0)
    on_port(port_of(server))
    asyncio.create_task(server.serve_forever())
    return 0
