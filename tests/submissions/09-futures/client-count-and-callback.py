# Valid: ids from itertools.count, and each future's own done callback takes its id out of `waiting` (after a reply or
# a cancellation alike).
# alternative ex9_3_replies_reach_their_callers ex9_3_duplicates_and_late_replies
# %% replace ex9_3_client
import itertools


class Client:
    def __init__(self, channel):
        self.channel = channel
        self.channel.on_message = self.on_message
        self.waiting = {}
        self.ids = itertools.count(1)

    async def call(self, request):
        msg_id = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda _: self.waiting.pop(msg_id, None))
        self.waiting[msg_id] = future
        self.channel.send(msg_id, request)
        return await future

    def on_message(self, msg_id, reply):
        future = self.waiting.get(msg_id)
        if future and not future.done():
            future.set_result(reply)
