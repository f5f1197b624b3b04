# Lets the timeout stop the waiting and thinks that stops the child: the child goes on running.
# expect ex11_3_kills_and_reaps 0
# %% replace ex11_3_run_with_limit
async def run_with_limit(code, seconds):
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    async with asyncio.timeout(seconds):
        stdout, _ = await proc.communicate()
    return stdout
