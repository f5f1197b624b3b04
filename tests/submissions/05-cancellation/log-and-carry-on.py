# Logs the cancellation, then falls through and finishes the "download" as if nothing happened.
# expect ex5_2_logs_and_reraises 0
# expect ex5_2_timeout_still_works 0
# %% replace ex5_2_download
async def download(name, seconds, log):
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        log.append(f"{name}: cancelled")
    log.append(f"{name}: done")
    return name
