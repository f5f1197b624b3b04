# Iterates paginate inside the new generator, believing `async for` fetches ahead by itself: one fetch at
# a time, no overlap. Closed early, it also leaves the inner paginate generator open (asyncio closes it later, in a
# task of its own, still pending when the program returns).
# expect ex6_2_fetches_overlap 0
# expect ex6_2_never_more_than_ahead 0
# expect ex6_2_closing_cancels_prefetches 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    async for item in paginate(fetch_page):
        yield item
