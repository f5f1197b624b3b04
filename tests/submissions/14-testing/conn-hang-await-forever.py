# A test that waits on an event nobody sets: every run of the tests hangs until run_tests gives up.
# expect ex14_1_passes_on_the_right_one 0
# expect ex14_1_catches_each_bug 0
# %% replace ex14_1_connection_tests
class ConnectionTests(unittest.IsolatedAsyncioTestCase):
    use_connection = staticmethod(use_connection)

    async def test_waits(self):
        await asyncio.Event().wait()
