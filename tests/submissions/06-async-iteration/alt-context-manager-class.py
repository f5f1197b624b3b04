# Valid: an async context manager written as a class (__aenter__/__aexit__) instead of asynccontextmanager.
# alternative ex6_3_opens_and_closes ex6_3_closes_when_body_raises ex6_3_closes_when_cancelled
# %% replace ex6_3_open_connection
class open_connection:
    def __init__(self, host):
        self.conn = Connection(host)

    async def __aenter__(self):
        await self.conn.connect()
        return self.conn

    async def __aexit__(self, exc_type, exc, traceback):
        await self.conn.close()
        return False
