# Stops, joins and closes, but leaves the tasks still running on the loop as they are: they never get to clean up.
# expect ex10_3_stops_cleanly 0
# %% replace ex10_3_loop_thread
class LoopThread:
    def __init__(self, loop_factory=asyncio.new_event_loop):
        self.loop_factory = loop_factory
        self.loop = None
        self.thread = None

    def start(self):
        self.loop = self.loop_factory()
        self.thread = threading.Thread(target=self.loop.run_forever, name="loop-thread")
        self.thread.start()

    def run(self, coro, timeout=None):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
