# Awaits each to_thread before starting the next: nothing blocks, but the reads never overlap.
# expect ex4_2_reads_overlap 0
# %% replace ex4_2_read_all
async def read_all(paths):
    contents = []
    for path in paths:
        contents.append(await asyncio.to_thread(read_file, path))
    return contents
