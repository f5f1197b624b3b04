# Builds a shell command line with an f-string: code that contains quotes is cut apart by the shell, and the command
# it reports is a string, not the list of arguments.
# expect ex11_1_feeds_and_collects 0
# expect ex11_1_raises_on_failure 0
# %% replace ex11_1_run_python
async def run_python(code, data=b""):
    cmd = f'{PYTHON} -c "{code}"'
    proc = await asyncio.create_subprocess_shell(
        cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await proc.communicate(data)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd, output=stdout, stderr=stderr)
    return stdout
