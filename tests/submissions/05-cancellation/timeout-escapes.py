# Bounds the goodbye with timeout() but lets its TimeoutError escape: it replaces the CancelledError.
# expect ex5_5_gives_up_after_limit 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        async with asyncio.timeout(limit):
            await connection.aclose()
