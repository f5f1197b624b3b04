# Starts the next fetch before awaiting the oldest one, so ahead + 1 fetches run at once.
# expect ex6_2_never_more_than_ahead 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    fetching = [asyncio.create_task(fetch_page(n)) for n in range(ahead)]
    next_page = ahead
    try:
        while True:
            fetching.append(asyncio.create_task(fetch_page(next_page)))
            next_page += 1
            page = await fetching.pop(0)
            if not page:
                return
            for item in page:
                yield item
    finally:
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)
