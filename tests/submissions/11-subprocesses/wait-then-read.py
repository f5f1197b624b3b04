# Waits for the child to exit first, then reads its lines one by one: they were all there long before.
# expect ex11_2_lines_as_they_arrive 0
# %% replace ex11_2_watch
async def watch(code):
    loop = asyncio.get_running_loop()
    start = loop.time()
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    await proc.wait()
    seen = []
    async for line in proc.stdout:
        seen.append((loop.time() - start, line.decode().rstrip("\n")))
    return seen
