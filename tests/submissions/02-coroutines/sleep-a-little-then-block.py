# Hands control back, then paces itself with time.sleep(0.1): the spinner gets its turns, but every part
# blocks the loop and the run takes time.
# expect ex2_4_suspends_once_per_part 0
# %% replace ex2_4_part
import time


async def part(log, i):
    log.append(f"part {i}")
    await asyncio.sleep(0)
    time.sleep(0.1)
