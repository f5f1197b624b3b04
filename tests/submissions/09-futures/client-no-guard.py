# Sets the future of the reply's id without looking whether it is still there and not done: a second reply, or one
# after the caller gave up, raises in on_message.
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
        msg_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = future
        try:
            self.channel.send(msg_id, request)
            return await future
        finally:
            del self.waiting[msg_id]

    def on_message(self, msg_id, reply):
        self.waiting[msg_id].set_result(reply)
