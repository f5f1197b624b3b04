# Writes all the input, waits for the exit, then reads the output: with 2 MB both pipes fill, and the child and the
# program wait for each other for ever.
# expect ex11_1_feeds_and_collects 0
# %% replace ex11_1_run_python
async def run_python(code, data=b""):
    cmd = [PYTHON, "-c", code]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    proc.stdin.write(data)
    await proc.stdin.drain()
    proc.stdin.close()
    await proc.wait()
    stdout = await proc.stdout.read()
    stderr = await proc.stderr.read()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd, output=stdout, stderr=stderr)
    return stdout
