# Cleans up in `except Exception:`, which never sees CancelledError (a BaseException since 3.8).
# expect ex5_1_closes_on_cancel 0
# %% replace ex5_1_send_all
async def send_all(connection, items):
    try:
        for item in items:
            await connection.send(item)
    except Exception:
        connection.close()
        raise
    connection.close()
    return len(items)
