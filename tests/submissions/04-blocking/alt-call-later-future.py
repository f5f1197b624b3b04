# Valid: builds the wait from a future and a timer (loop.call_later) instead of asyncio.sleep; the page is the
# future's result. Nothing blocks and the fetches overlap: full marks.
# alternative ex4_1_never_blocks ex4_1_fetches_overlap
# %% replace ex4_1_fetch
async def fetch(url, delay):
    loop = asyncio.get_running_loop()
    page = loop.create_future()
    loop.call_later(delay, page.set_result, f"page {url}")
    return await page
