# Closes the connection after the yield but not in a finally block: skipped when the body raises or is
# cancelled.
# expect ex6_3_closes_when_body_raises 0
# expect ex6_3_closes_when_cancelled 0
# %% replace ex6_3_open_connection
@contextlib.asynccontextmanager
async def open_connection(host):
    conn = Connection(host)
    await conn.connect()
    yield conn
    await conn.close()
