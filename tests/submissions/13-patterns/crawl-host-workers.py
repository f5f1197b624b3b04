# Valid: a crawler object with one queue and `per_host` workers per host, started on the first url of that host;
# a count of urls not yet done and an Event for when it reaches 0, the deadline from asyncio.wait_for(), and the
# workers cancelled and awaited in a finally block.
# alternative ex13_4_every_page_once_in_order ex13_4_per_host_limit ex13_4_retries ex13_4_deadline ex13_4_clean_shutdown
# %% replace ex13_4_crawl
class Crawler:
    def __init__(self, web, per_host, attempts, base, seed):
        self.web, self.per_host, self.attempts, self.base = web, per_host, attempts, base
        self.rng = random.Random(seed)
        self.status = {}
        self.queues = {}
        self.workers = []
        self.pending = 0
        self.all_done = asyncio.Event()

    def add(self, url):
        if url in self.status:
            return
        self.status[url] = "timed out"
        self.pending += 1
        host = host_of(url)
        if host not in self.queues:
            self.queues[host] = asyncio.Queue()
            for _ in range(self.per_host):
                self.workers.append(asyncio.create_task(self.work(self.queues[host])))
        self.queues[host].put_nowait(url)

    async def work(self, queue):
        while True:
            url = await queue.get()
            self.status[url] = await self.fetch(url)
            self.pending -= 1
            if self.pending == 0:
                self.all_done.set()

    async def fetch(self, url):
        failures = 0
        while True:
            try:
                links = await self.web.get(url)
            except NotFound:
                return "not found"
            except ConnectionError:
                failures += 1
                if failures == self.attempts:
                    return "failed"
                await asyncio.sleep(backoff(failures, self.base, self.rng))
            else:
                for link in links:
                    self.add(link)
                return "ok"

    async def run(self, start):
        for url in start:
            self.add(url)
        await self.all_done.wait()

    async def close(self):
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)


async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    crawler = Crawler(web, per_host, attempts, base, seed)
    try:
        await asyncio.wait_for(crawler.run(start), deadline)
    except TimeoutError:
        pass
    finally:
        await crawler.close()
    return sorted(crawler.status.items())
