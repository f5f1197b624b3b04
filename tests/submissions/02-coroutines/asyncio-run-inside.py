# Calls asyncio.run() inside a coroutine to get each result: a loop is already running there.
# expect ex2_2_returns_summary 0
# expect ex2_2_awaits_in_order 0
# %% replace ex2_2_user_summary
async def user_summary(username):
    user = asyncio.run(fetch_user(username))
    orders = asyncio.run(fetch_orders(user["id"]))
    return {"name": user["name"], "orders": orders}
