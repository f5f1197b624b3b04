# A student who mixes up delays, deadlines and clocks:
# - Reserves slots correctly but reads the time from time.monotonic() instead of the loop's clock. On asyncio's
#   default loop the two agree; on any other clock (virtual time, a test's fake clock, a loop with another time())
#   the slots are computed on one clock and slept on another.
# - Passes the delay to asyncio.timeout_at(), which wants a time on the loop's clock: right only while the clock
#   happens to start at 0 (the hidden tests start it at 1000, where the deadline has passed before the first
#   request).
# - Passes the deadline (a delay) to asyncio.timeout_at(), which wants a time on the loop's clock: right only while
#   the clock starts at 0. At a clock of 1000 (the hidden tests) the deadline has passed before the first request,
#   and every page is 'timed out' at once.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# expect ex13_2_backs_off 0
# expect ex13_2_stops_at_the_deadline 0
# expect ex13_4_every_page_once_in_order 0
# expect ex13_4_per_host_limit 0
# expect ex13_4_retries 0
# expect ex13_4_deadline 0
# %% replace ex13_1_pacer
import time


class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.next_start = 0.0

    async def wait(self):
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.interval
        await asyncio.sleep(start - now)
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout_at(timeout):
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(backoff(attempt, base, rng))
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    status = {}

    async def visit(url, group):
        limit = limits.setdefault(host_of(url), asyncio.Semaphore(per_host))
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
        async with asyncio.timeout_at(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    found(url, group)
    except TimeoutError:
        pass
    return sorted(status.items())
