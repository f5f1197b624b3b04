# Blocks with time.sleep(10**6) in the coroutine, and awaits it at the top of a cell: on the kernel's own
# loop that blocks for real.
# expect ex2_2_returns_summary 0
# expect ex2_2_awaits_in_order 0
# %% replace ex2_2_user_summary
async def user_summary(username):
    time.sleep(10**6)
    user = await fetch_user(username)
    orders = await fetch_orders(user["id"])
    return {"name": user["name"], "orders": orders}
# %% after ex2_2_user_summary
import time

await user_summary("ada")
