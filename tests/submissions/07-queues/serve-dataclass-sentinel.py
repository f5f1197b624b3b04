# Valid: entries are an ordered dataclass whose request field is left out of comparisons, and the worker is
# stopped by a sentinel that sorts after every request (priority infinity) instead of join() and cancel().
# alternative ex7_3_lowest_first ex7_3_ties_keep_arrival_order
# %% replace ex7_3_serve
import dataclasses
import math


@dataclasses.dataclass(order=True)
class Entry:
    priority: float
    arrival: int
    request: dict = dataclasses.field(compare=False)


async def serve(requests):
    handled = []
    queue = asyncio.PriorityQueue()

    async def receive():
        arrival = 0
        async for request in arrive(requests):
            await queue.put(Entry(request["priority"], arrival, request))
            arrival += 1
        await queue.put(Entry(math.inf, arrival, {}))

    async def work():
        while True:
            entry = await queue.get()
            if entry.priority == math.inf:
                return
            await handle_request(entry.request, handled)

    async with asyncio.TaskGroup() as group:
        group.create_task(receive(), name="receiver")
        group.create_task(work(), name="worker")
    return handled
