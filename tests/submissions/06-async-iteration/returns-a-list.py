# Writes paginate as a coroutine that returns a list (await and return, no yield): not an async generator,
# so `async for` cannot iterate it.
# expect ex6_1_yields_every_item 0
# expect ex6_1_streams_as_pages_arrive 0
# %% replace ex6_1_paginate
async def paginate(fetch_page):
    items = []
    n = 0
    while page := await fetch_page(n):
        items.extend(page)
        n += 1
    return items
