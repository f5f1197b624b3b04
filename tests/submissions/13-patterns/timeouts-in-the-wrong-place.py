# A student who puts a timeout around each step instead of around the whole:
# - Gives each attempt its own timeout instead of the whole call: a dead server that fails quickly is retried
#   attempts times, and the call takes far longer than `timeout`.
# - Gives each replica `delay` seconds with wait_for, which cancels it when the time is up: a replica that would
#   have answered a moment later is thrown away, and the next one starts only after the first has hung up.
# - Gives every request the deadline as its own timeout (and calls a page that runs out 'timed out') instead of
#   putting one deadline on the whole crawl: the crawl goes on past its deadline.
# expect ex13_2_stops_at_the_deadline 0
# expect ex13_3_first_answer_wins 0
# expect ex13_3_losers_cleaned_up 0
# expect ex13_4_deadline 0
# %% replace ex13_2_get_with_retry
async def get_with_retry(web, url, *, attempts, base, rng, timeout):
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.wait_for(web.get(url), timeout)
        except ConnectionError:
            if attempt == attempts:
                raise
            await asyncio.sleep(backoff(attempt, base, rng))
# %% replace ex13_3_hedged
async def hedged(ask, names, delay):
    for name in names[:-1]:
        try:
            return await asyncio.wait_for(ask(name), delay)
        except TimeoutError:
            continue
    return await ask(names[-1])
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
                    links = await asyncio.wait_for(web.get(url), deadline)
            except TimeoutError:
                return
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

    async with asyncio.TaskGroup() as group:
        for url in start:
            found(url, group)
    return sorted(status.items())
