# Cancels the fetches still running in its finally block but does not wait for them: when the stream ends (or is
# closed), the cancelled fetches have not stopped yet.
# expect ex6_2_closing_cancels_prefetches 0
# %% replace ex6_2_prefetch_pages
async def prefetch_pages(fetch_page, ahead):
    fetching = [asyncio.create_task(fetch_page(n)) for n in range(ahead)]
    next_page = ahead
    try:
        while True:
            page = await fetching.pop(0)
            if not page:
                return
            fetching.append(asyncio.create_task(fetch_page(next_page)))
            next_page += 1
            for item in page:
                yield item
    finally:
        for task in fetching:
            task.cancel()
