# Expects a failing child to raise by itself: returns the output whatever the exit code.
# expect ex11_1_raises_on_failure 0
# %% replace ex11_1_run_python
async def run_python(code, data=b""):
    proc = await asyncio.create_subprocess_exec(
        PYTHON, "-c", code,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, _ = await proc.communicate(data)
    return stdout
