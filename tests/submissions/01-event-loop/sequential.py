# Runs each generator to the end before the next one, adding up the delays: no overlap, no turns.
# expect ex1_1_timers_overlap 0
# expect ex1_1_zero_delay_takes_turns 0
# %% replace ex1_1_run_with_timers
def run_with_timers(tasks):
    clock = 0.0
    finished = []
    for name, generator in tasks.items():
        for delay in generator:
            clock += delay
        finished.append((clock, name))
    return finished
