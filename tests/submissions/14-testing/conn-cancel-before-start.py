# Cancels the task straight after create_task(): the task never starts, never opens the connection, so the check
# that it was closed fails on the right version too (and the cancellation bugs go uncaught).
# expect ex14_1_passes_on_the_right_one 0
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

    async def test_error_comes_out_and_closes(self):
        async def work(connection):
            raise KeyError("boom")

        with self.assertRaises(KeyError):
            await self.use_connection(self.connection.open, work)
        self.assertTrue(self.connection.closed)

    async def test_cancellation_closes(self):
        async def work(connection):
            await asyncio.sleep(1)

        task = asyncio.create_task(self.use_connection(self.connection.open, work))
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertTrue(self.connection.closed)
