# alternative ex10_1_answers_from_the_loop ex10_1_lookups_overlap
# Hands the loop one coroutine that gathers every lookup, and waits for that one future.
# %% replace ex10_1_lookup_all
def lookup_all(loop, names):
    async def all_of_them():
        return await asyncio.gather(*(lookup(name) for name in names))

    return asyncio.run_coroutine_threadsafe(all_of_them(), loop).result()
