# Valid: asyncio.wait_for() for both time limits; the server catches CancelledError, says goodbye within the limit
# and re-raises, instead of a finally block. Full marks.
# alternative ex5_3_fallback_at_the_limit ex5_3_fast_answer_unchanged ex5_5_closes_politely ex5_5_gives_up_after_limit
# %% replace ex5_3_fetch_or_default
async def fetch_or_default(fetch, limit, default):
    try:
        return await asyncio.wait_for(fetch, timeout=limit)
    except TimeoutError:
        return default
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        try:
            await asyncio.wait_for(connection.aclose(), limit)
        except TimeoutError:
            pass
        raise
