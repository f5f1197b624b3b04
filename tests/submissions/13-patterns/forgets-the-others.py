# A student who returns as soon as the answer is there and leaves the other tasks running:
# - Returns the first answer and forgets the other requests: they run on after hedged has returned.
# - Starts every visit with asyncio.create_task and counts the visits still running, with an Event for the last one;
#   at the deadline it returns without stopping them: the visits and their requests run on after crawl returns.
# expect ex13_3_losers_cleaned_up 0
# expect ex13_4_clean_shutdown 0
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    tasks = []
    for name in names:
        tasks.append(asyncio.create_task(ask(name)))
        timeout = None if name == names[-1] else delay
        done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if done:
            return next(task for task in tasks if task in done).result()
# %% replace ex13_4_crawl
async def crawl(web, start, *, per_host, attempts, base, seed, deadline):
    rng = random.Random(seed)
    limits = {}
    status = {}
    tasks = set()
    running = [0]
    all_done = asyncio.Event()

    async def visit(url, group):
        try:
            await visit_once(url, group)
        finally:
            running[0] -= 1
            if running[0] == 0:
                all_done.set()

    async def visit_once(url, group):
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
            running[0] += 1
            task = asyncio.create_task(visit(url, None))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    try:
        async with asyncio.timeout(deadline):
            for url in start:
                found(url, None)
            await all_done.wait()
    except TimeoutError:
        pass
    return sorted(status.items())
