# Starts every child at once with gather, with no bound at all.
# expect ex11_4_bounded_and_concurrent 0
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    async def run_one(code):
        proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await proc.communicate()
        return stdout.decode()

    return await asyncio.gather(*(run_one(code) for code in codes))
