# Valid: keeps the timers in a plain list and, when nothing is ready, takes every due timer out of it at once,
# sorted by (time, sequence), instead of popping a heap.
# alternative ex1_1_timers_overlap ex1_1_zero_delay_takes_turns
# %% replace ex1_1_run_with_timers
def run_with_timers(tasks):
    clock = 0.0
    ready = collections.deque(tasks.items())
    timers = []
    sequence = itertools.count()
    finished = []
    while ready or timers:
        if not ready:
            clock = min(timer[0] for timer in timers)
            due = sorted(timer for timer in timers if timer[0] <= clock)
            timers = [timer for timer in timers if timer[0] > clock]
            ready.extend((name, generator) for _, _, name, generator in due)
        name, generator = ready.popleft()
        try:
            delay = next(generator)
        except StopIteration:
            finished.append((clock, name))
            continue
        if delay:
            timers.append((clock + delay, next(sequence), name, generator))
        else:
            ready.append((name, generator))
    return finished
