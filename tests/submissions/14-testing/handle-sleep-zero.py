# Yields to the loop with sleep(0) before the blocking call: the other tasks get a turn, then the call still holds
# the loop for 0.3 s.
# expect ex14_3_never_blocks 0
# %% replace ex14_3_handle
async def handle(user_id):
    user = await fetch_user(user_id)
    await asyncio.sleep(0)
    template = load_template("profile")
    avatar = await fetch_avatar(user)
    return template.format(user=user, avatar=avatar)
