# Answers every line and keeps the writers in a list (to greet everyone later), but never closes them: the client
# waits for the end of the connection until its patience runs out.
# expect ex12_2_closes_when_client_stops 0
# %% replace ex12_2_greet
everyone = []


async def greet(reader, writer):
    everyone.append(writer)
    while line := await reader.readline():
        writer.write(b"hello, " + line.strip() + b"\n")
        await writer.drain()
