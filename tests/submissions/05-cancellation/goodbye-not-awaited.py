# Calls connection.aclose() without await: the coroutine never runs ("was never awaited"), nothing is closed.
# expect ex5_5_closes_politely 0
# expect ex5_5_gives_up_after_limit 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        connection.aclose()
