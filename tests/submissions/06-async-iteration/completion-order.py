# Starts `ahead` fetches and yields each page as soon as its fetch finishes (asyncio.as_completed): the items come in
# the order the fetches finish, which is page order only while every page takes the same time. Batch after batch,
# it also starts no fetch while the consumer works through a batch.
# expect ex6_2_same_items 0
# expect ex6_2_fetches_overlap 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    first = 0
    while True:
        tasks = [asyncio.create_task(fetch_page(n)) for n in range(first, first + ahead)]
        try:
            for next_done in asyncio.as_completed(tasks):
                page = await next_done
                if not page:
                    return
                for item in page:
                    yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        first += ahead
