# Uses wait_for, and cleans up in a finally: block that kills and reaps the child whenever it is still running there.
# alternative ex11_3_kills_and_reaps
# %% replace ex11_3_run_with_limit
async def run_with_limit(code, seconds):
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=seconds)
        return output
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
