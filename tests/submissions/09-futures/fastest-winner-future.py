# Valid: a future that the first task to finish completes through a done callback; then cancel and gather the rest.
# alternative ex9_4_first_one_wins ex9_4_losers_cancelled_and_awaited
# %% replace ex9_4_fastest
async def fastest(mirrors, closed):
    winner = asyncio.get_running_loop().create_future()

    def finished(task):
        if not winner.done():
            winner.set_result(task)

    tasks = []
    for name, seconds in mirrors.items():
        task = asyncio.create_task(download(name, seconds, closed), name=name)
        task.add_done_callback(finished)
        tasks.append(task)
    first = await winner
    for task in tasks:
        if task is not first:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return first.result()
