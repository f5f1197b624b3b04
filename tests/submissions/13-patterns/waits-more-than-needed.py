# A student who errs on the side of waiting:
# - Serialises callers with a lock, but a caller that comes within an interval of the last start waits a whole
#   interval instead of the rest of it: starts drift later than the rate allows.
# - Waits after every failure, the last one included, and only then gives up: the caller gets the error one (long)
#   backoff later than necessary.
# - One Semaphore(per_host) shared by every host: no host ever exceeds the limit, but a slow host takes the slots of
#   the others, which then wait for it.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# expect ex13_2_backs_off 0
# expect ex13_4_per_host_limit 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()
        self.last = None

    async def wait(self):
        loop = asyncio.get_running_loop()
        async with self.lock:
            if self.last is not None and loop.time() - self.last < self.interval:
                await asyncio.sleep(self.interval)
            self.last = loop.time()
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout(timeout):
        error = None
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError as failure:
                error = failure
                await asyncio.sleep(backoff(attempt, base, rng))
        raise error
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limit = asyncio.Semaphore(per_host)
    status = {}

    async def visit(url, group):
        for attempt in range(1, attempts + 1):
            try:
                async with limit:
                    links = await web.get(url)
            except NotFound:
                status[url] = "not found"
                return
            except ConnectionError:
                if attempt == attempts:
                    status[url] = "failed"
                    return
                await asyncio.sleep(backoff(attempt, base, rng))
            else:
                status[url] = "ok"
                for link in links:
                    found(link, group)
                return

    def found(url, group):
        if url not in status:
            status[url] = "timed out"
            group.create_task(visit(url, group))

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    found(url, group)
    except TimeoutError:
        pass
    return sorted(status.items())
