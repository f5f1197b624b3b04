# Valid solutions in another style, every exercise:
# - Valid: a lock taken by each caller and given back one interval later by a timer (notebook 08's rate limit with a
#   single slot).
# - Valid: the deadline from asyncio.wait_for() around a recursive retry.
# - Valid: every request in a task group; the first to answer sets a future, the starter waits for it up to `delay`
#   through shield(), then the remaining requests are cancelled and the group waits for them.
# - Valid: a crawler object with one queue and `per_host` workers per host, started on the first url of that host; a
#   count of urls not yet done and an Event for when it reaches 0, the deadline from asyncio.wait_for(), and the
#   workers cancelled and awaited in a finally block.
# alternative ex13_1_evenly_spaced ex13_1_no_wait_when_idle ex13_2_backs_off ex13_2_stops_at_the_deadline ex13_3_first_answer_wins ex13_3_losers_cleaned_up ex13_4_every_page_once_in_order ex13_4_per_host_limit ex13_4_retries ex13_4_deadline ex13_4_clean_shutdown
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second
        self.lock = asyncio.Lock()

    async def wait(self):
        await self.lock.acquire()
        asyncio.get_running_loop().call_later(self.interval, self.lock.release)
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async def attempt(n):
        try:
            return await web.get(url)
        except ConnectionError:
            if n >= attempts:
                raise
        await asyncio.sleep(backoff(n, base, rng))
        return await attempt(n + 1)

    return await asyncio.wait_for(attempt(1), timeout)
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    answer = asyncio.get_running_loop().create_future()
    tasks = []

    async def one(name):
        result = await ask(name)
        if not answer.done():
            answer.set_result(result)

    async with asyncio.TaskGroup() as group:
        for name in names:
            tasks.append(group.create_task(one(name)))
            try:
                async with asyncio.timeout(delay):
                    await asyncio.shield(answer)
                break
            except TimeoutError:
                pass
        await answer
        for task in tasks:
            task.cancel()
    return answer.result()
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
