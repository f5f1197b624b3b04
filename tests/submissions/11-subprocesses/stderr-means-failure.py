# Takes output on stderr for failure: raises for a warning (or for a child that writes its data there), and
# misses a child that exits with 4 silently.
# expect ex11_1_feeds_and_collects 0
# expect ex11_1_raises_on_failure 0
# %% replace ex11_1_run_python
async def run_python(code, data=b""):
    cmd = [PYTHON, "-c", code]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await proc.communicate(data)
    if stderr:
        raise subprocess.CalledProcessError(proc.returncode, cmd, output=stdout, stderr=stderr)
    return stdout
