# Collects every request first and sorts them by priority: the worker idles until the last one has arrived, and
# a request that came first but is less urgent waits behind requests that did not exist yet when it arrived.
# expect ex7_3_lowest_first 0
# expect ex7_3_ties_keep_arrival_order 0
# %% replace ex7_3_serve
async def serve(requests):
    handled = []
    received = []

    async def receive():
        async for request in arrive(requests):
            received.append(request)

    async def work():
        for request in sorted(received, key=lambda r: r["priority"]):
            await handle_request(request, handled)

    await asyncio.create_task(receive(), name="receiver")
    await asyncio.create_task(work(), name="worker")
    return handled
