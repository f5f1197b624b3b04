# Calls time.sleep(0) to let the others run: it only gives the thread to the OS, never the loop to a task.
# expect ex2_4_spinner_gets_turns 0
# expect ex2_4_suspends_once_per_part 0
# %% replace ex2_4_part
import time


async def part(log, i):
    log.append(f"part {i}")
    time.sleep(0)
