# Calls load_template itself and hands its result to to_thread: the call blocks the loop before to_thread sees it,
# and the thread then fails trying to call a string.
# expect ex14_3_never_blocks 0
# %% replace ex14_3_handle
async def handle(user_id):
    user = await fetch_user(user_id)
    template = await asyncio.to_thread(load_template("profile"))
    avatar = await fetch_avatar(user)
    return template.format(user=user, avatar=avatar)
