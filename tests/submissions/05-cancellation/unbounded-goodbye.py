# Awaits the goodbye with no time limit: a server that never answers keeps the cancelled task alive for an hour.
# expect ex5_5_gives_up_after_limit 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        await connection.aclose()
