# Replaces the CancelledError with a TimeoutError: a timeout() around it still "works",
# but a plain task.cancel() now ends in an error instead of a cancellation.
# expect ex5_2_logs_and_reraises 0
# %% replace ex5_2_download
async def download(name, seconds, log):
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        log.append(f"{name}: cancelled")
        raise TimeoutError(name) from None
    log.append(f"{name}: done")
    return name
