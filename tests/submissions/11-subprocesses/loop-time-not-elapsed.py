# Records the loop's clock as it reads, not the seconds since the call: right only when the clock starts at 0.
# expect ex11_2_lines_as_they_arrive 0
# %% replace ex11_2_watch
async def watch(code):
    loop = asyncio.get_running_loop()
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    seen = []
    async for line in proc.stdout:
        seen.append((loop.time(), line.decode().rstrip("\n")))
    await proc.wait()
    return seen
