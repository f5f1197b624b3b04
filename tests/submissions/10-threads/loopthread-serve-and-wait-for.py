# alternative ex10_3_runs_on_its_loop ex10_3_stops_cleanly ex10_3_timeout_cancels
# The thread makes the loop itself, says when it runs, and cleans up after run_forever() returns; the time limit is
# put on the loop's side with asyncio.wait_for().
# %% replace ex10_3_loop_thread
class LoopThread:
    def __init__(self, loop_factory=asyncio.new_event_loop):
        self.loop_factory = loop_factory
        self.loop = None
        self.thread = None

    def _serve(self, running):
        loop = self.loop = self.loop_factory()
        asyncio.set_event_loop(loop)  # this thread's current loop: gather() below finds it
        loop.call_soon(running.set)
        try:
            loop.run_forever()
            rest = asyncio.all_tasks(loop)
            for task in rest:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def start(self):
        running = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(running,), name="loop-thread")
        self.thread.start()
        running.wait()

    def run(self, coro, timeout=None):
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop).result()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
