# Keeps a buffer, but takes at most one line out of it per data_received call (if instead of while): lines that
# arrive together are answered one per later piece, or never.
# expect ex12_1_several_lines_at_once 0
# %% replace ex12_1_line_sum
class LineSum(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        if b"\n" in self.buffer:
            line, _, self.buffer = self.buffer.partition(b"\n")
            self.transport.write(f"{sum(int(word) for word in line.split())}\n".encode())
