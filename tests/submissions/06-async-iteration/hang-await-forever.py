# Waits for a "next page ready" event that nobody sets, in the tests (a deadlock, reported at once) and in
# an `async for` at the top of a cell of its own (on the kernel's loop, where it waits for real).
# expect ex6_1_yields_every_item 0
# expect ex6_1_streams_as_pages_arrive 0
# %% replace ex6_1_paginate
async def paginate(fetch_page):
    n = 0
    while True:
        page = await fetch_page(n)
        if not page:
            return
        await asyncio.Event().wait()
        for item in page:
            yield item
        n += 1
# %% after ex6_1_paginate
async for item in paginate(PagedSource(2).fetch_page):
    print(item)
