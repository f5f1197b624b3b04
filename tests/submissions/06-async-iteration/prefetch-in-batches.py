# Fetches `ahead` pages at a time with gather and yields them in order. With pages of equal length it is as fast as a
# sliding window, but no fetch is under way while the consumer works through a batch, and each batch waits for its
# slowest page: with pages of unequal length it takes longer.
# expect ex6_2_fetches_overlap 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    first = 0
    while True:
        pages = await asyncio.gather(*(fetch_page(n) for n in range(first, first + ahead)))
        for page in pages:
            if not page:
                return
            for item in page:
                yield item
        first += ahead
