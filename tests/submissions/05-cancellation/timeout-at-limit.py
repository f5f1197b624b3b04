# Uses asyncio.timeout_at(limit), which takes a deadline on the loop's clock, as if it took a delay: right only
# while the clock starts at 0.
# expect ex5_3_fallback_at_the_limit 0
# expect ex5_3_fast_answer_unchanged 0
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    try:
        async with asyncio.timeout_at(limit):
            return await fetch
    except TimeoutError:
        return default
