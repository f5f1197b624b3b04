# Valid: contextlib.closing() closes the connection however send_all ends; download() logs from a finally block
# with a flag instead of catching CancelledError. Full marks.
# alternative ex5_1_closes_on_cancel ex5_1_closes_when_finished ex5_2_logs_and_reraises ex5_2_timeout_still_works
# %% replace ex5_1_send_all
import contextlib


async def send_all(connection, items):
    with contextlib.closing(connection):
        for item in items:
            await connection.send(item)
    return len(items)
# %% replace ex5_2_download
async def download(name, seconds, log):
    finished = False
    try:
        await asyncio.sleep(seconds)
        finished = True
    finally:
        log.append(f"{name}: done" if finished else f"{name}: cancelled")
    return name
