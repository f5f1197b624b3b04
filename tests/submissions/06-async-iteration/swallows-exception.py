# Catches the body's exception to "handle" it and closes the connection, but never re-raises it, so
# the caller never learns that the body failed.
# expect ex6_3_closes_when_body_raises 0
# %% replace ex6_3_open_connection
@contextlib.asynccontextmanager
async def open_connection(host):
    conn = Connection(host)
    await conn.connect()
    try:
        yield conn
    except Exception as exc:
        print("query failed:", exc)
    finally:
        await conn.close()
