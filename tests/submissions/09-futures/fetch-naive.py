# The careless version: callbacks that set the future unconditionally, nothing withdrawn. After a timeout the
# service's answer lands on a cancelled future (InvalidStateError in the callback).
# expect ex9_2_cancel_withdraws_request 0
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    future = asyncio.get_running_loop().create_future()
    service.lookup(city, future.set_result, future.set_exception)
    return await future
