"""Small, known timelines built straight from the data model, for testing the views."""

from __future__ import annotations

from array import array

from helpers._timeline import FINISHED, JobRecord, TaskRecord, Timeline

__all__ = [
    "TimelineBuilder",
    "three_workers",
    "sequential",
    "blocking",
    "outcomes",
    "many_tasks",
    "instant",
    "empty",
    "huge",
    "with_jobs",
]


class TimelineBuilder:
    """Build a :class:`Timeline` step by step, the way the recorder fills its buffers.

    Times are given relative to ``start`` (a non-zero loop time, as ``loop.time()`` is).
    """

    def __init__(self, clock: str = "virtual", start: float = 1000.0) -> None:
        self.clock = clock
        self.start = start
        self.records: list[TaskRecord] = []
        self.steps = array("d")
        self.callbacks = array("d")
        self.idle_buffer = array("d")
        self.labels: list[str] = []
        self.jobs: list[JobRecord] = []

    def _label(self, text: str) -> float:
        if text not in self.labels:
            self.labels.append(text)
        return float(self.labels.index(text))

    def task(
        self,
        name: str,
        coroutine: str | None = None,
        parent: int | None = None,
        created: float = 0.0,
        internal: bool = False,
    ) -> int:
        """Record a task created at ``created`` and return its index."""
        index = len(self.records)
        self.records.append(TaskRecord(index, name, coroutine or name, parent, self.start + created, internal=internal))
        return index

    def job(self, kind: str, target: str, via: str, submitted: float, started: float | None, ended: float | None,
            outcome: str = "returned", detail: str = "None", awaited_by: int | None = None, **extra: object) -> None:
        """Record a job off the loop (times relative to ``start``)."""
        def at(t: float | None) -> float | None:
            return None if t is None else self.start + t

        self.jobs.append(JobRecord(len(self.jobs), kind, target, via, extra.pop("worker", None),
                                   extra.pop("pid", None), self.start + submitted, at(started), at(ended),
                                   outcome, detail, awaited_by=awaited_by, **extra))

    def step(
        self,
        task: int,
        start: float,
        waits_on: str | None,
        end: float | None = None,
        wall: float | None = None,
    ) -> None:
        """Record one step; ``waits_on=None`` marks the task's last step."""
        end = start if end is None else end
        wall = (end - start) if wall is None else wall
        label = FINISHED if waits_on is None else self._label(waits_on)
        self.steps.extend([self.start + start, self.start + end, wall, float(task), label])

    def finish(self, task: int, time: float, outcome: str = "returned", detail: str = "None") -> None:
        """Mark a task as ended."""
        record = self.records[task]
        record.finished = self.start + time
        record.outcome = outcome
        record.detail = detail

    def callback(self, name: str, start: float, end: float | None = None, wall: float = 0.0) -> None:
        """Record a loop callback that is not a task step."""
        end = start if end is None else end
        self.callbacks.extend([self.start + start, self.start + end, wall, self._label(name)])

    def idle(self, start: float, end: float) -> None:
        """Record a stretch where the loop had nothing to run."""
        self.idle_buffer.extend([self.start + start, self.start + end])

    def build(self, end: float, root: int | None = 0) -> Timeline:
        """The timeline, recording having stopped at ``end``."""
        return Timeline(
            clock=self.clock,
            start=self.start,
            end=self.start + end,
            tasks=self.records,
            steps=self.steps,
            labels=self.labels,
            callbacks=self.callbacks,
            idle=self.idle_buffer,
            root=root if self.records else None,
            jobs=self.jobs,
        )


def three_workers() -> Timeline:
    """``main`` gathers three workers that sleep 0.5 s twice, 1.0 s and 1.5 s, on virtual time."""
    b = TimelineBuilder()
    main = b.task("main")
    workers = [b.task(f"worker-{k}", "worker", parent=main) for k in (1, 2, 3)]
    b.step(main, 0.0, "gather")
    b.step(workers[0], 0.0, "sleep(0.5)")
    b.step(workers[1], 0.0, "sleep(1.0)")
    b.step(workers[2], 0.0, "sleep(1.5)")
    b.idle(0.0, 0.5)
    b.step(workers[0], 0.5, "sleep(0.5)")
    b.idle(0.5, 1.0)
    b.step(workers[0], 1.0, None)
    b.finish(workers[0], 1.0, detail="1")
    b.step(workers[1], 1.0, None)
    b.finish(workers[1], 1.0, detail="2")
    b.callback("gather._done_callback", 1.0)
    b.callback("gather._done_callback", 1.0)
    b.idle(1.0, 1.5)
    b.step(workers[2], 1.5, None)
    b.finish(workers[2], 1.5, detail="3")
    b.callback("gather._done_callback", 1.5)
    b.step(main, 1.5, None)
    b.finish(main, 1.5, detail="[1, 2, 3]")
    return b.build(1.5)


def sequential() -> Timeline:
    """``main`` awaits one download, then the next: 2 s in all, on virtual time."""
    b = TimelineBuilder()
    main = b.task("main")
    first = b.task("download-1", "download", parent=main)
    b.step(main, 0.0, "Task download-1")
    b.step(first, 0.0, "sleep(1.0)")
    b.idle(0.0, 1.0)
    b.step(first, 1.0, None)
    b.finish(first, 1.0)
    second = b.task("download-2", "download", parent=main, created=1.0)
    b.step(main, 1.0, "Task download-2")
    b.step(second, 1.0, "sleep(1.0)")
    b.idle(1.0, 2.0)
    b.step(second, 2.0, None)
    b.finish(second, 2.0)
    b.step(main, 2.0, None)
    b.finish(main, 2.0)
    return b.build(2.0)


def blocking() -> Timeline:
    """On real time: ``ticker`` should tick every 0.1 s, but ``blocker`` calls ``time.sleep(0.3)``."""
    b = TimelineBuilder(clock="real", start=52.25)
    main = b.task("main")
    ticker = b.task("ticker", parent=main, created=0.0001)
    blocker = b.task("blocker", parent=main, created=0.0002)
    b.step(main, 0.0, "gather", end=0.0003)
    b.step(ticker, 0.0003, "sleep(0.1)", end=0.0004)
    b.step(blocker, 0.0004, "sleep(0)", end=0.0005)
    b.step(blocker, 0.0005, "sleep(0.1)", end=0.3006)
    b.step(ticker, 0.3007, "sleep(0.1)", end=0.3008)
    b.idle(0.3008, 0.4)
    b.step(ticker, 0.4001, None, end=0.4002)
    b.finish(ticker, 0.4002, detail="3")
    b.step(blocker, 0.4003, None, end=0.4004)
    b.finish(blocker, 0.4004)
    b.step(main, 0.4005, None, end=0.4006)
    b.finish(main, 0.4006)
    return b.build(0.4007)


def outcomes() -> Timeline:
    """Every way a task can end: returned, raised, cancelled waiting, cancelled before it ran, pending."""
    b = TimelineBuilder()
    main = b.task("main")
    sleeper = b.task("sleeper", "nap", parent=main)
    failer = b.task("failer", "fail_soon", parent=main)
    never = b.task("never-ran", "nap", parent=main)
    waiter = b.task("waiter", "wait_for_event", parent=main)
    b.step(main, 0.0, "sleep(1.0)")
    b.step(sleeper, 0.0, "sleep(10)")
    b.step(failer, 0.0, "sleep(0.5)")
    b.step(waiter, 0.0, "Event.wait")
    b.idle(0.0, 0.5)
    b.step(failer, 0.5, None)
    b.finish(failer, 0.5, "raised", "ValueError: bad input")
    b.idle(0.5, 1.0)
    b.step(main, 1.0, "Task sleeper")
    b.finish(never, 1.0, "cancelled", "")
    b.step(sleeper, 1.0, None)
    b.finish(sleeper, 1.0, "cancelled", "")
    b.step(main, 1.0, None)
    b.finish(main, 1.0)
    return b.build(1.0)


def many_tasks(count: int = 200, steps_per_task: int = 3) -> Timeline:
    """``main`` starts ``count`` workers 0.01 s apart, then waits for them; each sleeps 0.1 s between its steps."""
    b = TimelineBuilder()
    main = b.task("main")
    workers = [b.task(f"worker-{k}", "worker", parent=main, created=0.0) for k in range(count)]
    b.step(main, 0.0, "gather")
    events: list[tuple[float, int, int]] = []
    for k, worker in enumerate(workers):
        for s in range(steps_per_task):
            # integer hundredths keep every time exact and the step order deterministic
            events.append((k + 10 * s, worker, s))
    events.sort()
    for hundredths, worker, s in events:
        last = s == steps_per_task - 1
        b.step(worker, hundredths / 100, None if last else "sleep(0.1)")
        if last:
            b.finish(worker, hundredths / 100)
    end = max(e[0] for e in events) / 100 if events else 0.0
    b.step(main, end, None)
    b.finish(main, end)
    return b.build(end)


def instant() -> Timeline:
    """Two tasks that start and end at one instant: a zero-duration timeline."""
    b = TimelineBuilder()
    main = b.task("main")
    child = b.task("child", parent=main)
    b.step(main, 0.0, "Task child")
    b.step(child, 0.0, None)
    b.finish(child, 0.0)
    b.step(main, 0.0, None)
    b.finish(main, 0.0)
    return b.build(0.0)


def empty() -> Timeline:
    """Nothing recorded at all."""
    return TimelineBuilder().build(0.0, root=None)


def huge(step_count: int = 1_000_000, task_count: int = 10_000) -> Timeline:
    """``task_count`` tasks taking turns through ``step_count`` steps 1 ms apart (for speed tests)."""
    b = TimelineBuilder()
    for k in range(task_count):
        b.task(f"task-{k}", "worker")
    wait = b._label("sleep(0.001)")
    per_task = step_count // task_count
    steps = array("d", bytes(8 * 5 * per_task * task_count))
    o = 0
    for s in range(per_task):
        label = FINISHED if s == per_task - 1 else wait
        t = b.start + s / 1000
        for k in range(task_count):
            steps[o : o + 5] = array("d", (t, t, 0.0, float(k), label))
            o += 5
    b.steps = steps
    for k in range(task_count):
        b.finish(k, (per_task - 1) / 1000)
    return b.build((per_task - 1) / 1000, root=None)


def with_jobs() -> Timeline:
    """main gathers a worker that awaits a thread job and a child; an internal pipe reader; one job queued."""
    b = TimelineBuilder()
    main = b.task("main")
    worker = b.task("worker", parent=main)
    reader = b.task("Task-9", "Process._read_stream", parent=worker, internal=True)
    b.step(main, 0.0, "gather(2)")
    b.step(worker, 0.0, "to_thread(fetch)")
    b.step(reader, 0.0, "StreamReader.read")
    b.step(worker, 1.0, "Process.wait")
    b.step(reader, 2.0, None)
    b.finish(reader, 2.0)
    b.step(worker, 2.0, None)
    b.finish(worker, 2.0, detail="'ok'")
    b.step(main, 2.0, None)
    b.finish(main, 2.0)
    b.idle(0.0, 2.0)
    b.job("thread", "fetch", "to_thread", 0.0, 0.0, 1.0, detail="'page'", awaited_by=worker, worker="asyncio_0")
    b.job("thread", "parse", "run_in_executor", 0.0, 0.5, 1.5, outcome="raised", detail="ValueError: bad",
          worker="asyncio_0")
    b.job("child", "python -c", "subprocess", 1.0, 1.0, 2.0, outcome="exited", detail="return code 0",
          awaited_by=reader, pid=4242, returncode=0)
    return b.build(end=2.0)


def late_sleeper() -> Timeline:
    """``cruncher`` blocks the loop in three back-to-back 0.1 s steps; ``ticker``'s sleep(0.1) wakes 0.2 s late."""
    b = TimelineBuilder()
    main = b.task("main")
    cruncher = b.task("Task-7", "cruncher", parent=main)
    ticker = b.task("Task-8", "ticker", parent=main)
    b.step(main, 0.0, "gather(2)")
    b.step(ticker, 0.0, "sleep(0.1)")
    for k in range(3):
        b.step(cruncher, 0.1 * k, "sleep(0)" if k < 2 else None, end=0.1 * (k + 1))
    b.finish(cruncher, 0.30000000000000004)
    b.step(ticker, 0.30000000000000004, None)
    b.finish(ticker, 0.30000000000000004)
    b.step(main, 0.30000000000000004, None)
    b.finish(main, 0.30000000000000004)
    return b.build(0.30000000000000004)


def cancelled() -> Timeline:
    """``main`` cancels ``victim`` at 1.0 (thrown in at once); ``catcher`` is cancelled too, catches it, returns."""
    b = TimelineBuilder()
    main = b.task("main")
    victim = b.task("victim", "nap", parent=main)
    catcher = b.task("catcher", "nap", parent=main)
    b.step(main, 0.0, "sleep(1)")
    b.step(victim, 0.0, "sleep(10)")
    b.step(catcher, 0.0, "sleep(10)")
    b.step(main, 1.0, "gather(2)")
    for task, outcome, detail in ((victim, "cancelled", ""), (catcher, "returned", "'kept going'")):
        record = b.records[task]
        record.cancel_asked, record.cancel_by, record.cancel_by_task = b.start + 1.0, "task", main
        record.cancel_requested, record.cancel_step = b.start + 1.0, len(b.steps) // 5
        b.step(task, 1.0, None)
        b.finish(task, 1.0, outcome, detail)
    b.step(main, 1.0, None)
    b.finish(main, 1.0)
    return b.build(1.0)
