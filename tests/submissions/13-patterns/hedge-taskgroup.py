# Valid: every request in a task group; the first to answer sets a future, the starter waits for it up to `delay`
# through shield(), then the remaining requests are cancelled and the group waits for them.
# alternative ex13_3_first_answer_wins ex13_3_losers_cleaned_up
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    answer = asyncio.get_running_loop().create_future()
    tasks = []

    async def one(name):
        result = await ask(name)
        if not answer.done():
            answer.set_result(result)

    async with asyncio.TaskGroup() as group:
        for name in names:
            tasks.append(group.create_task(one(name)))
            try:
                async with asyncio.timeout(delay):
                    await asyncio.shield(answer)
                break
            except TimeoutError:
                pass
        await answer
        for task in tasks:
            task.cancel()
    return answer.result()
