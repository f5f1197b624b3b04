# Another style: one helper that runs a case, addAsyncCleanup-free plain asserts, and the cancellation case run on
# virtual time with helpers.trace from a plain (non-async) test method.
# alternative ex14_1_passes_on_the_right_one ex14_1_catches_each_bug
# %% replace ex14_1_connection_tests
class ConnectionTests(unittest.IsolatedAsyncioTestCase):
    use_connection = staticmethod(use_connection)

    async def run_case(self, work):
        connection = FakeConnection()
        try:
            return await self.use_connection(connection.open, work), connection
        except BaseException as error:
            error.connection = connection
            raise

    async def test_result(self):
        async def work(connection):
            assert not connection.closed
            return [1, 2]

        result, connection = await self.run_case(work)
        assert result == [1, 2], result
        assert connection.closed

    async def test_error(self):
        class Oops(Exception):
            pass

        async def work(connection):
            raise Oops()

        try:
            await self.run_case(work)
        except Oops as error:
            assert error.connection.closed
        else:
            self.fail("Oops was swallowed")

    def test_cancellation_on_virtual_time(self):
        connection = FakeConnection()

        async def work(connection):
            await asyncio.sleep(60)

        async def scenario():
            task = asyncio.create_task(self.use_connection(connection.open, work))
            await asyncio.sleep(1)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return "cancelled"
            return "not cancelled"

        timeline = helpers.trace(scenario())
        assert timeline.result == "cancelled", timeline.result
        assert connection.closed
