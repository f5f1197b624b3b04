# Valid: gathers loop.run_in_executor futures on the default pool directly, with no task per read: the reads run
# in threads, overlap, and come back in order. Full marks (the check reads the jobs, not what tasks awaited).
# alternative ex4_2_returns_contents ex4_2_reads_in_threads ex4_2_reads_overlap
# %% replace ex4_2_read_all
async def read_all(paths):
    loop = asyncio.get_running_loop()
    return await asyncio.gather(*[loop.run_in_executor(None, read_file, path) for path in paths])
