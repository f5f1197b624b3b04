# Blocks with time.sleep(10**6) inside the coroutine (in the tests: stopped at the end of virtual time)
# and awaits it at the top of a cell, where it blocks the kernel's own loop for real.
# expect ex5_1_closes_on_cancel 0
# expect ex5_1_closes_when_finished 0
# %% replace ex5_1_send_all
async def send_all(connection, items):
    try:
        for item in items:
            time.sleep(10**6)
            await connection.send(item)
        return len(items)
    finally:
        connection.close()
# %% after ex5_1_send_all
await send_all(Connection(), ["x"])
