# Valid: a bytearray buffer made in __init__, complete lines found with find() and cut off with del; numbers parsed
# from text with str.split.
# alternative ex12_1_lines_in_pieces ex12_1_several_lines_at_once
# %% replace ex12_1_line_sum
class LineSum(asyncio.Protocol):
    def __init__(self):
        self.pending = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.pending.extend(data)
        end = self.pending.find(b"\n")
        while end >= 0:
            numbers = self.pending[:end].decode().split()
            del self.pending[: end + 1]
            self.transport.write(b"%d\n" % sum(map(int, numbers)))
            end = self.pending.find(b"\n")

    def eof_received(self):
        return False
