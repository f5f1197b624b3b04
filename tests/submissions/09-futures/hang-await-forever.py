# Awaits a future that nothing will ever complete (it never passes it to the service): a deadlock in the tests
# (reported at once), and at the top of a cell of its own it awaits forever on the kernel's loop.
# expect ex9_2_result_and_error 0
# expect ex9_2_cancel_withdraws_request 0
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    future = asyncio.get_running_loop().create_future()
    service.lookup(city, print, print)
    return await asyncio.get_running_loop().create_future()
# %% after ex9_2_fetch_temperature
await fetch_temperature(WeatherService({}, {}), "Oslo")
