# Withdraws the request in `except asyncio.CancelledError:` but does not re-raise: the cancellation stops there,
# fetch_temperature() returns None, and the timeout around it never fires (the caller goes on as if it had an answer).
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
    except asyncio.CancelledError:
        request.cancel()
