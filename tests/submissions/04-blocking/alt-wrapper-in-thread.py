# Valid: runs a small wrapper function of its own in each thread (it calls read_file there), one task per path in a
# TaskGroup, then collects the results in path order. Full marks.
# alternative ex4_2_returns_contents ex4_2_reads_in_threads ex4_2_reads_overlap
# %% replace ex4_2_read_all
def read_and_label(path):
    return path, read_file(path)


async def read_all(paths):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(asyncio.to_thread(read_and_label, path)) for path in paths]
    contents = dict(task.result() for task in tasks)
    return [contents[path] for path in paths]
