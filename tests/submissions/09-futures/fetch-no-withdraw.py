# Guards against setting a done future, but never withdraws the request: after a timeout the service still holds it,
# and its timer is still scheduled.
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

    service.lookup(city, on_done, on_error)
    return await future
