# Prefetches correctly but never cancels the fetches still running when the stream stops or is closed.
# expect ex6_2_closing_cancels_prefetches 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    fetching = [asyncio.create_task(fetch_page(n)) for n in range(ahead)]
    next_page = ahead
    while True:
        page = await fetching.pop(0)
        if not page:
            return
        fetching.append(asyncio.create_task(fetch_page(next_page)))
        next_page += 1
        for item in page:
            yield item
