# Writes the tests with plain `def` and calls the version under test without await: no test ever runs its code,
# so they pass on everything.
# expect ex14_1_catches_each_bug 0
# %% replace ex14_1_connection_tests
class ConnectionTests(unittest.IsolatedAsyncioTestCase):
    use_connection = staticmethod(use_connection)

    def test_returns_what_work_returns(self):
        connection = FakeConnection()

        async def work(connection):
            return "answer"

        result = self.use_connection(connection.open, work)
        self.assertIsNotNone(result)

    def test_error_comes_out(self):
        connection = FakeConnection()

        async def work(connection):
            raise KeyError("boom")

        try:
            self.use_connection(connection.open, work)
        except KeyError:
            pass
