# A student who writes the first thing that comes to mind in every exercise:
# - Each caller sleeps one interval on its own, without looking at the others: requests that arrive together all
#   start together, one interval late.
# - Retries after the same wait every time (base seconds): no exponential backoff and no jitter, so clients that
#   failed together keep coming back together. The deadline still works.
# - Asks every replica at once instead of one delay apart: the first answer is the fastest replica's, but servers
#   that should never have been asked are, and hang up.
# - Collects the results in the order the pages finished (and the unfinished ones last): the same crawl can give
#   another order on another run or another network.
# expect ex13_1_evenly_spaced 0
# expect ex13_1_no_wait_when_idle 0
# expect ex13_2_backs_off 0
# expect ex13_3_first_answer_wins 0
# expect ex13_3_losers_cleaned_up 0
# expect ex13_4_every_page_once_in_order 0
# %% replace ex13_1_pacer
class Pacer:
    def __init__(self, per_second):
        self.interval = 1 / per_second

    async def wait(self):
        await asyncio.sleep(self.interval)
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    async with asyncio.timeout(timeout):
        for attempt in range(1, attempts + 1):
            try:
                return await web.get(url)
            except ConnectionError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(base)
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    tasks = [asyncio.create_task(ask(name)) for name in names]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return next(task for task in tasks if task in done).result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    found = set()
    results = []

    async def visit(url, group):
        limit = limits.setdefault(host_of(url), asyncio.Semaphore(per_host))
        for attempt in range(1, attempts + 1):
            try:
                async with limit:
                    links = await web.get(url)
            except NotFound:
                results.append((url, "not found"))
                return
            except ConnectionError:
                if attempt == attempts:
                    results.append((url, "failed"))
                    return
                await asyncio.sleep(backoff(attempt, base, rng))
            else:
                results.append((url, "ok"))
                for link in links:
                    if link not in found:
                        found.add(link)
                        group.create_task(visit(link, group))
                return

    try:
        async with asyncio.timeout(deadline):
            async with asyncio.TaskGroup() as group:
                for url in start:
                    found.add(url)
                    group.create_task(visit(url, group))
    except TimeoutError:
        pass
    done = {url for url, _ in results}
    return results + [(url, "timed out") for url in found if url not in done]
