# Valid: a deque of tasks as the window, asyncio.ensure_future, and asyncio.wait to let the cancelled fetches end.
# alternative ex6_2_same_items ex6_2_fetches_overlap ex6_2_never_more_than_ahead ex6_2_closing_cancels_prefetches
# %% replace ex6_2_prefetch_pages
import collections


async def prefetch_pages(fetch_page, ahead):
    window = collections.deque(asyncio.ensure_future(fetch_page(n)) for n in range(ahead))
    following = ahead
    try:
        while window:
            page = await window.popleft()
            if not page:
                break
            window.append(asyncio.ensure_future(fetch_page(following)))
            following += 1
            for item in page:
                yield item
    finally:
        for task in window:
            task.cancel()
        if window:
            await asyncio.wait(window)
