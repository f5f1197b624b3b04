# Collects the output with communicate() and splits it into lines: every line is seen when the child has ended.
# expect ex11_2_lines_as_they_arrive 0
# %% replace ex11_2_watch
async def watch(code):
    loop = asyncio.get_running_loop()
    start = loop.time()
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    stdout, _ = await proc.communicate()
    now = loop.time() - start
    return [(now, line) for line in stdout.decode().splitlines()]
