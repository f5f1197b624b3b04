# Puts (priority, request) tuples with no tie-breaker: fine while priorities differ, but two requests of equal
# priority make the queue compare the dicts, and put() raises TypeError.
# expect ex7_3_ties_keep_arrival_order 0
# %% replace ex7_3_serve
async def serve(requests):
    handled = []
    queue = asyncio.PriorityQueue()

    async def receive():
        async for request in arrive(requests):
            await queue.put((request["priority"], request))

    async def work():
        while True:
            _, request = await queue.get()
            await handle_request(request, handled)
            queue.task_done()

    worker = asyncio.create_task(work(), name="worker")
    await asyncio.create_task(receive(), name="receiver")
    await queue.join()
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    return handled
