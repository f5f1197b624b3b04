# Awaits a coroutine that never suspends, believing any await hands control to the loop.
# expect ex2_4_spinner_gets_turns 0
# expect ex2_4_suspends_once_per_part 0
# %% replace ex2_4_part
async def let_others_run():
    pass


async def part(log, i):
    log.append(f"part {i}")
    await let_others_run()
