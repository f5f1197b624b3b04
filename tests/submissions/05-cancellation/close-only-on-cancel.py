# Closes the connection only when cancelled (and re-raises), and leaves it open when it finishes.
# expect ex5_1_closes_when_finished 0
# %% replace ex5_1_send_all
async def send_all(connection, items):
    try:
        for item in items:
            await connection.send(item)
    except asyncio.CancelledError:
        connection.close()
        raise
    return len(items)
