# Splits each piece at its newlines and answers every complete line in it, but keeps no buffer: the unfinished
# end of a piece is dropped, so a line that arrives in pieces loses its beginning.
# expect ex12_1_lines_in_pieces 0
# %% replace ex12_1_line_sum
class LineSum(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        *lines, _unfinished = data.split(b"\n")
        for line in lines:
            self.transport.write(f"{sum(int(word) for word in line.split())}\n".encode())
