# Valid: an Event and a dict instead of a future; withdraws the request in `except asyncio.CancelledError`.
# alternative ex9_2_result_and_error ex9_2_cancel_withdraws_request
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    arrived = asyncio.Event()
    answer = {}

    def on_done(temperature):
        answer["value"] = temperature
        arrived.set()

    def on_error(error):
        answer["error"] = error
        arrived.set()

    request = service.lookup(city, on_done, on_error)
    try:
        await arrived.wait()
    except asyncio.CancelledError:
        request.cancel()
        raise
    if "error" in answer:
        raise answer["error"]
    return answer["value"]
