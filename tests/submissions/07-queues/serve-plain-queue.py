# Uses a plain first-in, first-out Queue: requests are handled in arrival order whatever their priority.
# expect ex7_3_lowest_first 0
# expect ex7_3_ties_keep_arrival_order 0
# %% replace ex7_3_serve
async def serve(requests):
    handled = []
    queue = asyncio.Queue()

    async def receive():
        async for request in arrive(requests):
            await queue.put(request)

    async def work():
        while True:
            request = await queue.get()
            await handle_request(request, handled)
            queue.task_done()

    worker = asyncio.create_task(work(), name="worker")
    await asyncio.create_task(receive(), name="receiver")
    await queue.join()
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    return handled
