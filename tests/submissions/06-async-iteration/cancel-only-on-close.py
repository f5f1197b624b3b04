# Cancels (and awaits) the fetches only when the consumer closes the stream early (GeneratorExit): at the stream's
# natural end the fetches of the pages after the empty one are left running.
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
    except GeneratorExit:
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)
        raise
