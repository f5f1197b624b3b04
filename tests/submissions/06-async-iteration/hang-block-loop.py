# Connects with a blocking time.sleep(10**6) inside the coroutine, and opens a connection at the top of a
# cell: on the kernel's own loop that blocks for real.
# expect ex6_3_opens_and_closes 0
# expect ex6_3_closes_when_body_raises 0
# expect ex6_3_closes_when_cancelled 0
# %% replace ex6_3_open_connection
@contextlib.asynccontextmanager
async def open_connection(host):
    conn = Connection(host)
    time.sleep(10**6)
    await conn.connect()
    try:
        yield conn
    finally:
        await conn.close()
# %% after ex6_3_open_connection
import time

async with open_connection("db") as conn:
    print(conn.is_open)
