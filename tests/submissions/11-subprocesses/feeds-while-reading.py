# Does communicate()'s work by hand: feeds stdin in one coroutine while reading both outputs, then waits; checks the
# exit code with `if proc.returncode:`.
# alternative ex11_1_feeds_and_collects ex11_1_raises_on_failure
# %% replace ex11_1_run_python
async def run_python(code, data=b""):
    args = [PYTHON, "-c", code]
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )

    async def feed():
        try:
            proc.stdin.write(data)
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child stopped reading: its exit code will say why
        proc.stdin.close()

    _, out, err = await asyncio.gather(feed(), proc.stdout.read(), proc.stderr.read())
    if await proc.wait():
        raise subprocess.CalledProcessError(proc.returncode, args, out, err)
    return out
