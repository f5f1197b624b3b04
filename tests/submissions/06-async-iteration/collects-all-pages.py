# Fetches every page into a list first and yields the items only at the end: right items, but nothing
# reaches the consumer until the last page is in (not a stream).
# expect ex6_1_streams_as_pages_arrive 0
# %% replace ex6_1_paginate
async def paginate(fetch_page):
    items = []
    n = 0
    while True:
        page = await fetch_page(n)
        if not page:
            break
        items.extend(page)
        n += 1
    for item in items:
        yield item
