# run() asks the runner's loop to run_until_complete() the coroutine from the caller's thread, while that loop is
# already running in its own thread: RuntimeError, and nothing runs.
# expect ex10_3_runs_on_its_loop 0
# expect ex10_3_stops_cleanly 0
# expect ex10_3_timeout_cancels 0
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
        return self.loop.run_until_complete(coro)

    def stop(self):
        async def cancel_the_rest():
            rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_the_rest(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
