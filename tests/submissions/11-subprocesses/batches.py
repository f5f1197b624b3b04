# Runs the children in batches of `limit`: each batch waits for its slowest child before the next batch starts.
# expect ex11_4_bounded_and_concurrent 0
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    async def run_one(code):
        proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await proc.communicate()
        return stdout.decode()

    outputs = []
    for i in range(0, len(codes), limit):
        outputs += await asyncio.gather(*(run_one(code) for code in codes[i:i + limit]))
    return outputs
