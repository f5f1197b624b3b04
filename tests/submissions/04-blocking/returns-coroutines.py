# Returns the to_thread(...) coroutines without awaiting them: no read ever runs, and the list holds coroutine
# objects instead of contents.
# expect ex4_2_returns_contents 0
# expect ex4_2_reads_in_threads 0
# expect ex4_2_reads_overlap 0
# %% replace ex4_2_read_all
async def read_all(paths):
    return [asyncio.to_thread(read_file, path) for path in paths]
