# Valid: wraps each service call in a task and awaits it before starting the next one.
# alternative ex2_2_returns_summary ex2_2_awaits_in_order
# %% replace ex2_2_user_summary
async def user_summary(username):
    user = await asyncio.create_task(fetch_user(username))
    orders = await asyncio.create_task(fetch_orders(user["id"]))
    return {"name": user["name"], "orders": orders}
