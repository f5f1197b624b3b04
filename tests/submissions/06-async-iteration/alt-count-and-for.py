# Valid: itertools.count() for the page numbers and a for loop that breaks at the first empty page.
# alternative ex6_1_yields_every_item ex6_1_streams_as_pages_arrive
# %% replace ex6_1_paginate
import itertools


async def paginate(fetch_page):
    for n in itertools.count():
        page = await fetch_page(n)
        if len(page) == 0:
            break
        for item in page:
            yield item
