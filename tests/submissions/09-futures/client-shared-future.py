# One future for the whole client instead of one per call: each new call replaces it, so the first reply wakes only
# the last caller and the other callers wait for ever.
# expect ex9_3_replies_reach_their_callers 0
# expect ex9_3_duplicates_and_late_replies 0
# %% replace ex9_3_client
class Client:
    def __init__(self, channel):
        self.channel = channel
        self.channel.on_message = self.on_message
        self.waiting = {}
        self.next_id = 0
        self.future = None

    async def call(self, request):
        self.next_id += 1
        self.future = asyncio.get_running_loop().create_future()
        self.channel.send(self.next_id, request)
        return await self.future

    def on_message(self, msg_id, reply):
        if self.future is not None and not self.future.done():
            self.future.set_result(reply)
