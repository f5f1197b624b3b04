# Asks the child to stop with terminate() (SIGTERM) and waits: a child that ignores SIGTERM keeps it waiting.
# expect ex11_3_kills_and_reaps 0
# %% replace ex11_3_run_with_limit
async def run_with_limit(code, seconds):
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(seconds):
            stdout, _ = await proc.communicate()
    except TimeoutError:
        proc.terminate()
        await proc.wait()
        raise
    return stdout
