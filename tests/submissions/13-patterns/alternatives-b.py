# More valid solutions in another style:
# - Valid: callers queue on a lock; the one holding it sleeps until the last start plus one interval, if that is
#   still ahead, then notes its own start.
# - Valid: a while loop under asyncio.timeout_at() with a deadline computed from the loop's clock, the last error
#   kept and raised after the loop.
# alternative ex13_1_evenly_spaced ex13_1_no_wait_when_idle ex13_2_backs_off ex13_2_stops_at_the_deadline
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()
        self.last_start = -float("inf")

    async def wait(self):
        loop = asyncio.get_running_loop()
        async with self.lock:
            delay = self.last_start + self.interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.last_start = loop.time()
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    loop = asyncio.get_running_loop()
    async with asyncio.timeout_at(loop.time() + timeout):
        failures = 0
        while True:
            try:
                return await web.get(url)
            except ConnectionError:
                failures += 1
                if failures == attempts:
                    raise
            await asyncio.sleep(backoff(failures, base, rng))
