# Keeps timers as (time, name, generator): timers due at the same moment then wake in the order of their names,
# not in the order they were set.
# expect ex1_1_timers_overlap 0
# %% replace ex1_1_run_with_timers
def run_with_timers(tasks):
    clock = 0.0
    ready = collections.deque(tasks.items())
    timers = []
    finished = []
    while ready or timers:
        if not ready:
            clock = timers[0][0]
            while timers and timers[0][0] <= clock:
                _, name, generator = heapq.heappop(timers)
                ready.append((name, generator))
        name, generator = ready.popleft()
        try:
            delay = next(generator)
        except StopIteration:
            finished.append((clock, name))
            continue
        if delay > 0:
            heapq.heappush(timers, (clock + delay, name, generator))
        else:
            ready.append((name, generator))
    return finished
