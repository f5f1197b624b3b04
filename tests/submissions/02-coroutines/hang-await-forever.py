# Awaits an event nobody sets: a deadlock in the tests (reported at once), and a hang at the top of a
# cell of its own, on the kernel's loop.
# expect ex2_2_returns_summary 0
# expect ex2_2_awaits_in_order 0
# %% replace ex2_2_user_summary
async def user_summary(username):
    user = await fetch_user(username)
    await asyncio.Event().wait()
    return {"name": user["name"], "orders": []}
# %% after ex2_2_user_summary
await user_summary("ada")
