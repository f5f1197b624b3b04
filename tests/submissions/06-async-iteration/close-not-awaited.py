# Calls conn.close() without await: the close coroutine is created and dropped, never run.
# expect ex6_3_opens_and_closes 0
# expect ex6_3_closes_when_body_raises 0
# expect ex6_3_closes_when_cancelled 0
# %% replace ex6_3_open_connection
@contextlib.asynccontextmanager
async def open_connection(host):
    conn = Connection(host)
    await conn.connect()
    try:
        yield conn
    finally:
        conn.close()
