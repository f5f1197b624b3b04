# Breaks ties with the request's id instead of a counter: nothing is compared that cannot be, but requests of
# equal priority come out sorted by id, not in the order they arrived.
# expect ex7_3_ties_keep_arrival_order 0
# %% replace ex7_3_serve
async def serve(requests):
    handled = []
    queue = asyncio.PriorityQueue()

    async def receive():
        async for request in arrive(requests):
            await queue.put((request["priority"], request["id"], request))

    async def work():
        while True:
            _, _, request = await queue.get()
            await handle_request(request, handled)
            queue.task_done()

    worker = asyncio.create_task(work(), name="worker")
    await asyncio.create_task(receive(), name="receiver")
    await queue.join()
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    return handled
