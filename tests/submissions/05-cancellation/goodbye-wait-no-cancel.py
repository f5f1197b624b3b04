# Starts the goodbye as a task and waits for it with asyncio.wait(timeout=), but does not cancel it at the limit:
# the goodbye is left running.
# expect ex5_5_gives_up_after_limit 0
# %% replace ex5_5_serve_bounded
async def serve_bounded(connection, limit):
    try:
        await asyncio.sleep(3600)
    finally:
        goodbye = asyncio.create_task(connection.aclose(), name="goodbye")
        await asyncio.wait({goodbye}, timeout=limit)
