# Reads with readline() until it returns b"" (the end of the output), with a walrus, and strips with splitlines().
# alternative ex11_2_lines_as_they_arrive
# %% replace ex11_2_watch
async def watch(code):
    clock = asyncio.get_running_loop().time
    began = clock()
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    lines = []
    while line := await proc.stdout.readline():
        lines.append((clock() - began, line.decode().splitlines()[0]))
    await proc.wait()
    return lines
