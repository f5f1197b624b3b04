# Takes an id out of `waiting` only when its reply comes: a call that gives up before its reply leaves its future in
# `waiting` for ever (and one whose reply never comes, too).
# expect ex9_3_duplicates_and_late_replies 0
# %% replace ex9_3_client
class Client:
    def __init__(self, channel):
        self.channel = channel
        self.channel.on_message = self.on_message
        self.waiting = {}
        self.next_id = 0

    async def call(self, request):
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self.channel.send(self.next_id, request)
        return await future

    def on_message(self, msg_id, reply):
        future = self.waiting.pop(msg_id, None)
        if future is not None and not future.done():
            future.set_result(reply)
