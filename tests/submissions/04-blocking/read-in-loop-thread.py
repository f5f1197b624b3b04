# Calls the blocking read_file right in the coroutine: the contents are right, but every read blocks the loop.
# expect ex3_1_reads_in_threads 0
# expect ex3_1_reads_overlap 0
# %% replace ex3_1_read_all
async def read_all(paths):
    return [read_file(path) for path in paths]
