# Takes the user id from USERS directly so both services can run at once with gather: right result, but
# fetch_orders no longer waits for fetch_user.
# expect ex2_2_awaits_in_order 0
# %% replace ex2_2_user_summary
async def user_summary(username):
    user, orders = await asyncio.gather(fetch_user(username), fetch_orders(USERS[username]["id"]))
    return {"name": user["name"], "orders": orders}
