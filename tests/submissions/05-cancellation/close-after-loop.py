# Closes the connection after the loop, with no finally: a cancelled send skips the close.
# expect ex5_1_closes_on_cancel 0
# %% replace ex5_1_send_all
async def send_all(connection, items):
    for item in items:
        await connection.send(item)
    connection.close()
    return len(items)
