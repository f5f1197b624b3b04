# Puts a task that yielded 0 back at the front of the queue, so it runs again before the others.
# expect ex1_1_zero_delay_takes_turns 0
# %% replace ex1_1_run_with_timers
def run_with_timers(tasks):
    clock = 0.0
    ready = collections.deque(tasks.items())
    timers = []
    sequence = itertools.count()
    finished = []
    while ready or timers:
        if not ready:
            clock = timers[0][0]
            while timers and timers[0][0] <= clock:
                _, _, name, generator = heapq.heappop(timers)
                ready.append((name, generator))
        name, generator = ready.popleft()
        try:
            delay = next(generator)
        except StopIteration:
            finished.append((clock, name))
            continue
        if delay > 0:
            heapq.heappush(timers, (clock + delay, next(sequence), name, generator))
        else:
            ready.appendleft((name, generator))
    return finished
