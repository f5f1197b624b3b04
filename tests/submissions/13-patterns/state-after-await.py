# A student who writes shared state down only after an await, so tasks that run meanwhile do not see it:
# - Looks at the last start, but writes it down only after sleeping: callers that arrive together all see the same
#   last start, sleep the same time, and start in a burst. A lone late caller waits correctly.
# - Marks a url as seen only once its page has been fetched: a link found again while that page is still being
#   fetched starts a second request for it; and pages found but never finished are missing from the result.
# expect ex13_1_evenly_spaced 0
# expect ex13_4_every_page_once_in_order 0
# expect ex13_4_deadline 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.last = None

    async def wait(self):
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.last is not None and now - self.last < self.interval:
            await asyncio.sleep(self.last + self.interval - now)
        self.last = loop.time()
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
                    if link not in status:
                        group.create_task(visit(link, group))
                return

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    group.create_task(visit(url, group))
    except TimeoutError:
        pass
    return sorted(status.items())
