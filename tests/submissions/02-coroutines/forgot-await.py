# Calls the services without await: gets coroutine objects and tries to read the user's id from one.
# expect ex2_2_returns_summary 0
# expect ex2_2_awaits_in_order 0
# %% replace ex2_2_user_summary
async def user_summary(username):
    user = fetch_user(username)
    orders = fetch_orders(user["id"])
    return {"name": user["name"], "orders": orders}
