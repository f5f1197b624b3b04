# Tries to notice the cancellation with `except Exception:`, which never sees CancelledError.
# expect ex5_2_logs_and_reraises 0
# expect ex5_2_timeout_still_works 0
# %% replace ex5_2_download
async def download(name, seconds, log):
    try:
        await asyncio.sleep(seconds)
    except Exception:
        log.append(f"{name}: cancelled")
        raise
    log.append(f"{name}: done")
    return name
