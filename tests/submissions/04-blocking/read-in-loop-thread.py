# Calls the blocking read_file right in the coroutine: the contents are right, but every read blocks the loop.
# expect ex4_2_reads_in_threads 0
# expect ex4_2_reads_overlap 0
# %% replace ex4_2_read_all
async def read_all(paths):
    return [read_file(path) for path in paths]
