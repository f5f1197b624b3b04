# Plays safe: runs the children one after the other, never more than one at once.
# expect ex11_4_bounded_and_concurrent 0
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    outputs = []
    for code in codes:
        proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await proc.communicate()
        outputs.append(stdout.decode())
    return outputs
