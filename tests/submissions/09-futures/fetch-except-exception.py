# Withdraws the request in `except Exception:`, which CancelledError (a BaseException) passes straight through.
# expect ex9_2_cancel_withdraws_request 0
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    future = asyncio.get_running_loop().create_future()

    def on_done(temperature):
        if not future.done():
            future.set_result(temperature)

    def on_error(error):
        if not future.done():
            future.set_exception(error)

    request = service.lookup(city, on_done, on_error)
    try:
        return await future
    except Exception:
        request.cancel()
        raise
