# Shields the goodbye inside wait_for: at the limit the server stops waiting, but the goodbye itself was never
# cancelled and is still running (an hour long) when the program returns.
# expect ex5_5_gives_up_after_limit 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        try:
            await asyncio.wait_for(asyncio.shield(connection.aclose()), limit)
        except TimeoutError:
            pass
