# Checks that the exception and the cancellation come out, but not that the connection was closed on the way out:
# the version that leaves it open on an error passes.
# expect ex14_1_catches_each_bug 0
# %% replace ex14_1_connection_tests
class ConnectionTests(unittest.IsolatedAsyncioTestCase):
    use_connection = staticmethod(use_connection)

    async def asyncSetUp(self):
        self.connection = FakeConnection()

    async def test_returns_and_closes(self):
        async def work(connection):
            return "answer"

        self.assertEqual(await self.use_connection(self.connection.open, work), "answer")
        self.assertTrue(self.connection.closed)

    async def test_error_comes_out(self):
        async def work(connection):
            raise KeyError("boom")

        with self.assertRaises(KeyError):
            await self.use_connection(self.connection.open, work)

    async def test_cancellation_comes_out(self):
        async def work(connection):
            await asyncio.sleep(1)

        task = asyncio.create_task(self.use_connection(self.connection.open, work))
        await asyncio.sleep(0.01)
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
