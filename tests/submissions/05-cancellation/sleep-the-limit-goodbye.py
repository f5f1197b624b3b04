# Starts the goodbye as a task and always waits the whole limit: a quick goodbye still costs the full limit.
# expect ex5_5_closes_politely 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        goodbye = asyncio.create_task(connection.aclose())
        await asyncio.sleep(limit)
        goodbye.cancel()
