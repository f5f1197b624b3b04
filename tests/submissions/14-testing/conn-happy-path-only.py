# Tests only the happy path (result, closed afterwards): every bug on the error and cancellation paths gets through.
# expect ex14_1_catches_each_bug 0
# %% replace ex14_1_connection_tests
class ConnectionTests(unittest.IsolatedAsyncioTestCase):
    use_connection = staticmethod(use_connection)

    async def test_returns_and_closes(self):
        connection = FakeConnection()

        async def work(connection):
            return 42

        self.assertEqual(await self.use_connection(connection.open, work), 42)
        self.assertTrue(connection.closed)
