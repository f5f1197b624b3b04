# Closes on cancellation but then returns normally: the CancelledError is swallowed.
# expect ex5_1_closes_on_cancel 0
# %% replace ex5_1_send_all
async def send_all(connection, items):
    sent = 0
    try:
        for item in items:
            await connection.send(item)
            sent += 1
    except asyncio.CancelledError:
        pass
    finally:
        connection.close()
    return sent
