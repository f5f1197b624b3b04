# Expects a cancelled use_connection to return None ("it handled the cancellation"): on the right version, awaiting
# the cancelled task raises CancelledError, so that test fails, and the cancellation bug counts as right.
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

    async def test_cancellation_is_handled(self):
        async def work(connection):
            await asyncio.sleep(1)

        task = asyncio.create_task(self.use_connection(self.connection.open, work))
        await asyncio.sleep(0.01)
        task.cancel()
        self.assertIsNone(await task)
        self.assertTrue(self.connection.closed)
