# Keeps the answer in a variable and looks at it every 0.1 s instead of awaiting a future: it returns up to 0.1 s
# late, and a cancelled poll never withdraws its request.
# expect ex9_2_result_and_error 0
# expect ex9_2_cancel_withdraws_request 0
# %% replace ex9_2_fetch_temperature
async def fetch_temperature(service, city):
    answer = {}
    service.lookup(city, lambda value: answer.setdefault("value", value), lambda error: answer.setdefault("error", error))
    while not answer:
        await asyncio.sleep(0.1)
    if "error" in answer:
        raise answer["error"]
    return answer["value"]
