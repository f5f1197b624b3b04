# Answers the first line and closes: a request-response handler, so a client's later lines get no answer (and the
# connection ends before the client has stopped sending).
# expect ex12_2_answers_every_line 0
# expect ex12_2_closes_when_client_stops 0
# %% replace ex12_2_greet
async def greet(reader, writer):
    line = await reader.readline()
    writer.write(b"hello, " + line.strip() + b"\n")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
