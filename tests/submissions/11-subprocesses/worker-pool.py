# A pool of `limit` workers taking codes from a queue (notebook 07), in a TaskGroup; results put back in order.
# alternative ex11_4_bounded_and_concurrent
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    queue = asyncio.Queue()
    for index, code in enumerate(codes):
        queue.put_nowait((index, code))
    outputs = [None] * len(codes)

    async def worker():
        while not queue.empty():
            index, code = queue.get_nowait()
            proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
            stdout, _ = await proc.communicate()
            outputs[index] = stdout.decode()

    async with asyncio.TaskGroup() as group:
        for _ in range(limit):
            group.create_task(worker())
    return outputs
