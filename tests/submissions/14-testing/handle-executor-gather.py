# Runs the template load on the loop's default executor, at the same time as the user lookup (gather).
# alternative ex14_3_never_blocks
# %% replace ex14_3_handle
async def handle(user_id):
    loop = asyncio.get_running_loop()
    user, template = await asyncio.gather(fetch_user(user_id), loop.run_in_executor(None, load_template, "profile"))
    avatar = await fetch_avatar(user)
    return template.format(user=user, avatar=avatar)
