# Treats each data_received call as one line: sums whatever bytes arrived, so a line cut in two gets two wrong
# answers and two lines that arrive together get one.
# expect ex12_1_lines_in_pieces 0
# expect ex12_1_several_lines_at_once 0
# %% replace ex12_1_line_sum
class LineSum(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        total = sum(int(word) for word in data.split())
        self.transport.write(f"{total}\n".encode())
