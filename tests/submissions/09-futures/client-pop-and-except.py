# Valid: on_message pops the future as it sets it; a cancelled call pops its own id in `except CancelledError`.
# alternative ex9_3_replies_reach_their_callers ex9_3_duplicates_and_late_replies
# %% replace ex9_3_client
class Client:
    def __init__(self, channel):
        self.channel = channel
        self.channel.on_message = self.on_message
        self.waiting = {}
        self.sent = 0

    async def call(self, request):
        self.sent += 1
        msg_id = f"call-{self.sent}"
        future = self.waiting[msg_id] = asyncio.get_running_loop().create_future()
        self.channel.send(msg_id, request)
        try:
            return await future
        except asyncio.CancelledError:
            self.waiting.pop(msg_id, None)
            raise

    def on_message(self, msg_id, reply):
        future = self.waiting.pop(msg_id, None)
        if future is not None and not future.cancelled():
            future.set_result(reply)
