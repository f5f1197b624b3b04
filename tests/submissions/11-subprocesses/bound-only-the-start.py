# Holds the semaphore only while the child starts: the slot is free again while the child runs, so all run at once.
# expect ex11_4_bounded_and_concurrent 0
# %% replace ex11_4_run_all
async def run_all(codes, limit):
    bound = asyncio.Semaphore(limit)

    async def run_one(code):
        async with bound:
            proc = await asyncio.create_subprocess_exec(PYTHON, "-c", code, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await proc.communicate()
        return stdout.decode()

    return await asyncio.gather(*(run_one(code) for code in codes))
