# Passes the service's error on as a result: fetch_temperature() returns the LookupError instead of raising it.
# expect ex9_2_result_and_error 0
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    future = asyncio.get_running_loop().create_future()

    def answer(value):
        if not future.done():
            future.set_result(value)

    request = service.lookup(city, answer, answer)
    try:
        return await future
    finally:
        request.cancel()
