# Kills the child but does not wait for it: the program ends while the child is still dying, its exit never seen.
# expect ex11_3_kills_and_reaps 0
# %% replace ex11_3_run_with_limit
async def run_with_limit(code, seconds):
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    try:
        return (await asyncio.wait_for(proc.communicate(), seconds))[0]
    except TimeoutError:
        proc.kill()
        raise
