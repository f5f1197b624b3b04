# Valid: the future's own done callback withdraws the request when the future is cancelled (cancelling the task
# cancels the future it awaits); callbacks guarded by a small helper.
# alternative ex9_2_result_and_error ex9_2_cancel_withdraws_request
# %% replace ex9_2_fetch_temperature
def settle(future, method, value):
    if not future.done():
        getattr(future, method)(value)


async def fetch_temperature(service, city):
    future = asyncio.get_running_loop().create_future()
    request = service.lookup(
        city, lambda value: settle(future, "set_result", value), lambda error: settle(future, "set_exception", error)
    )
    future.add_done_callback(lambda f: request.cancel() if f.cancelled() else None)
    return await future
