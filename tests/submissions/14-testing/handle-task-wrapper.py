# Wraps the blocking call in a coroutine and runs it as a task: the task runs on the same loop, and blocks it.
# expect ex14_3_never_blocks 0
# %% replace ex14_3_handle
async def handle(user_id):
    async def load():
        return load_template("profile")

    user = await fetch_user(user_id)
    template = await asyncio.create_task(load())
    avatar = await fetch_avatar(user)
    return template.format(user=user, avatar=avatar)
