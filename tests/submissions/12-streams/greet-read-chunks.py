# Reads with read(100) as if each read were one line: a line that arrives in pieces is greeted piece by piece.
# expect ex12_2_answers_every_line 0
# %% replace ex12_2_greet
async def greet(reader, writer):
    try:
        while data := await reader.read(100):
            writer.write(b"hello, " + data.strip() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
