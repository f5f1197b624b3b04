# Gives each reply to the oldest call still waiting, ignoring its id: right only if replies come back in the order the
# requests were sent.
# expect ex9_3_replies_reach_their_callers 0
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
        for future in self.waiting.values():
            if not future.done():
                future.set_result(reply)
                return
