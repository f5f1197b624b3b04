# Answers every line and returns at the end of the stream without closing the writer: the connection is closed
# only if and when Python garbage-collects the writer (on 3.13 when the handler ends, with a ResourceWarning; on
# 3.11 never, and the client gives up waiting).
# expect ex12_2_closes_when_client_stops 0
# %% replace ex12_2_greet
async def greet(reader, writer):
    async for line in reader:
        writer.write(b"hello, " + line.strip() + b"\n")
        await writer.drain()
