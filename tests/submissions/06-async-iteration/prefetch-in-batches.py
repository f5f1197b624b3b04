# A different correct answer: fetches `ahead` pages at a time with gather and yields them in order. With
# fetches of equal length it is as fast as a sliding window, and it never leaves a fetch running: full marks.
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
