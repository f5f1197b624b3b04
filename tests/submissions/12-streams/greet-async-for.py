# Valid: iterates over the reader's lines with async for, decodes and encodes text, closes in finally without
# waiting for the close to complete.
# alternative ex12_2_answers_every_line ex12_2_closes_when_client_stops
# %% replace ex12_2_greet
async def greet(reader, writer):
    try:
        async for line in reader:
            name = line.decode().strip()
            writer.write(f"hello, {name}\n".encode())
            await writer.drain()
    finally:
        writer.close()
