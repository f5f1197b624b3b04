# Calls loop.stop() from the caller's thread: the loop, asleep in select(), never notices, and join() waits for ever.
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
        async def cancel_the_rest():
            rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_the_rest(), self.loop).result()
        self.loop.stop()
        self.thread.join()
        self.loop.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
