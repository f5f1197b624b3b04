"""Tests for helpers._timeline: the data model and its queries, on timelines built by hand."""

import tracemalloc
from array import array

import pytest
import timeline_samples as samples
from timeline_samples import TimelineBuilder

from helpers._timeline import BLOCKING_THRESHOLD, FINISHED, LABEL_STRIDE, TaskRecord, Timeline


def _lives(*lives: tuple[str, float, float], end: float | None = None) -> Timeline:
    """A root task ``main`` and one task per ``(name, start, end)``, each with a first and a last step."""
    b = TimelineBuilder()
    main = b.task("main")
    b.step(main, 0.0, "gather")
    last = max((stop for _, _, stop in lives), default=0.0)
    for name, start, stop in lives:
        t = b.task(name, parent=main, created=start)
        if stop == start:
            b.step(t, start, None)
        else:
            b.step(t, start, "sleep")
            b.step(t, stop, None)
        b.finish(t, stop)
    b.step(main, last, None)
    b.finish(main, last)
    return b.build(last if end is None else end)


# ------------------------------------------------------------ max_concurrency
def test_max_concurrency_touching_intervals_do_not_overlap():
    assert _lives(("a", 0.0, 1.0), ("b", 1.0, 2.0)).max_concurrency() == 1


def test_max_concurrency_overlapping_intervals():
    assert _lives(("a", 0.0, 1.0), ("b", 0.5, 2.0), ("c", 0.9, 0.95)).max_concurrency() == 3


def test_max_concurrency_zero_length_task_inside_another_counts():
    assert _lives(("long", 0.0, 2.0), ("instant", 1.0, 1.0)).max_concurrency() == 2


def test_max_concurrency_zero_length_task_touching_an_end_or_a_start_does_not_overlap():
    assert _lives(("a", 0.0, 1.0), ("instant", 1.0, 1.0)).max_concurrency() == 1
    assert _lives(("instant", 0.0, 0.0), ("b", 0.0, 1.0)).max_concurrency() == 1


def test_max_concurrency_zero_length_tasks_at_one_instant_count_one():
    timeline = _lives(("x", 1.0, 1.0), ("y", 1.0, 1.0), ("z", 1.0, 1.0))
    assert timeline.max_concurrency() == 1


def test_max_concurrency_of_a_single_task_and_of_nothing():
    assert _lives(("a", 0.0, 1.0)).max_concurrency() == 1
    assert _lives().max_concurrency() == 0
    assert samples.empty().max_concurrency() == 0


def test_max_concurrency_leaves_out_the_root_unless_named():
    timeline = _lives(("a", 0.0, 1.0), ("b", 0.0, 1.0))
    assert timeline.max_concurrency() == 2
    assert timeline.max_concurrency(["main", "a", "b"]) == 3
    assert timeline.max_concurrency(["a"]) == 1


def test_max_concurrency_with_a_predicate():
    timeline = _lives(("worker-1", 0.0, 1.0), ("worker-2", 0.0, 1.0), ("other", 0.0, 1.0))
    assert timeline.max_concurrency(lambda t: t.name.startswith("worker")) == 2


def test_max_concurrency_unknown_name_is_a_key_error_naming_the_tasks():
    with pytest.raises(KeyError) as excinfo:
        _lives(("a", 0.0, 1.0)).max_concurrency(["a", "nope"])
    message = excinfo.value.args[0]
    assert "nope" in message and "'a'" in message and "'main'" in message, message


def test_max_concurrency_ignores_a_task_that_never_ran():
    b = TimelineBuilder()
    main = b.task("main")
    b.task("never-ran", parent=main)
    b.step(main, 0.0, None)
    b.finish(main, 0.0)
    assert b.build(0.0).max_concurrency() == 0


def test_max_concurrency_counts_a_pending_task_until_the_end_of_recording():
    """Two consumers still waiting when recording stops overlap the producer that ran after them."""
    b = TimelineBuilder()
    main = b.task("main")
    consumers = [b.task(f"consumer-{k}", parent=main) for k in (1, 2)]
    producer = b.task("producer", parent=main)
    b.step(main, 0.0, "sleep(2)")
    for c in consumers:
        b.step(c, 0.0, "Queue.get")  # still waiting when recording stops: no finish
    b.step(producer, 1.0, "sleep(1)")
    b.step(producer, 2.0, None)
    b.finish(producer, 2.0)
    b.step(main, 2.0, None)
    b.finish(main, 2.0)
    timeline = b.build(2.0)
    assert timeline.task("consumer-1").waits[-1].end == timeline.end
    assert timeline.max_concurrency() == 3, "pending tasks wait until the timeline ends"


# ------------------------------------------------------------------ blocking
def _one_step_each(*steps: tuple[str, float, float, float]) -> Timeline:
    """One task per ``(name, start, end, wall)`` step."""
    b = TimelineBuilder()
    for name, start, end, wall in steps:
        t = b.task(name)
        b.step(t, start, None, end=end, wall=wall)
        b.finish(t, end)
    return b.build(max(end for _, _, end, _ in steps), root=None)


def test_blocking_by_loop_time_and_by_wall_time():
    timeline = _one_step_each(
        ("virtual-sleep", 0.0, 0.5, 0.0),  # time.sleep(0.5) on virtual time: loop seconds, no wall time
        ("cpu-loop", 0.5, 0.5, 0.2),  # real work on virtual time: wall seconds only
        ("quick", 0.5, 0.5, 0.0001),
    )
    assert [s.task for s in timeline.blocking()] == ["virtual-sleep", "cpu-loop"]
    assert [s.task for s in timeline.blocking(0.3)] == ["virtual-sleep"]
    assert timeline.blocking(1.0) == []


def test_blocking_threshold_is_inclusive_and_defaults_to_the_constant():
    at = _one_step_each(("exactly", 0.0, BLOCKING_THRESHOLD, BLOCKING_THRESHOLD))
    below = _one_step_each(("below", 0.0, BLOCKING_THRESHOLD / 2, BLOCKING_THRESHOLD / 2))
    assert [s.task for s in at.blocking()] == ["exactly"]
    assert below.blocking() == []
    assert at.blocking()[0].is_blocking and at.blocking()[0].held_loop == BLOCKING_THRESHOLD


def test_blocking_on_the_real_time_sample():
    steps = samples.blocking().blocking(0.1)
    assert [(s.task, s.waits_on) for s in steps] == [("blocker", "sleep(0.1)")]
    assert steps[0].duration == pytest.approx(0.3001)


# --------------------------------------------------------------- order, events
def test_order_finished_breaks_clock_ties_by_step_position():
    timeline = samples.three_workers()
    assert timeline.order() == ["worker-1", "worker-2", "worker-3", "main"]
    assert timeline.order("finished") == timeline.order()


def test_order_created_and_started():
    timeline = samples.sequential()
    assert timeline.order("created") == ["main", "download-1", "download-2"]
    assert timeline.order("started") == ["main", "download-1", "download-2"]


def test_order_of_a_task_created_before_another_but_started_after():
    b = TimelineBuilder()
    late = b.task("created-first-started-last")
    early = b.task("created-second-started-first")
    b.step(early, 0.0, None)
    b.finish(early, 0.0)
    b.step(late, 1.0, None)
    b.finish(late, 1.0)
    timeline = b.build(1.0, root=None)
    assert timeline.order("created") == ["created-first-started-last", "created-second-started-first"]
    assert timeline.order("started") == ["created-second-started-first", "created-first-started-last"]


def test_order_leaves_out_tasks_that_did_not_finish():
    assert "waiter" not in samples.outcomes().order()
    assert "never-ran" in samples.outcomes().order()  # cancelled before it ran: it did finish


def test_order_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="'suspended'"):
        samples.three_workers().order("suspended")


def test_events_of_one_task_in_order():
    kinds = [(e.kind, e.detail) for e in samples.sequential().events() if e.task == "download-1"]
    assert kinds == [("created", "download"), ("started", ""), ("suspended", "sleep(1.0)"),
                     ("resumed", ""), ("finished", "returned")]


def test_events_are_sorted_by_time_and_stable():
    events = samples.three_workers().events()
    times = [e.time for e in events]
    assert times == sorted(times)
    at_zero = [(e.task, e.kind) for e in events if e.time == events[0].time][:4]
    assert at_zero == [("main", "created"), ("worker-1", "created"), ("worker-2", "created"),
                       ("worker-3", "created")], "ties keep the order they were recorded"


# ---------------------------------------------------------- tasks and children
def test_children_of_root_and_of_a_named_task():
    b = TimelineBuilder()
    main = b.task("main")
    parent = b.task("parent", parent=main)
    b.task("grandchild", parent=parent)
    timeline = b.build(0.0)
    assert [t.name for t in timeline.children()] == ["parent"]
    assert [t.name for t in timeline.children("parent")] == ["grandchild"]
    assert timeline.children("grandchild") == []
    assert timeline.task("grandchild").parent == "parent"
    assert timeline.task("main").parent is None


def test_children_without_a_root_is_empty():
    b = TimelineBuilder()
    b.task("orphan")
    assert b.build(0.0, root=None).children() == []


def test_task_unknown_name_is_a_key_error_naming_the_tasks():
    with pytest.raises(KeyError) as excinfo:
        samples.three_workers().task("worker-9")
    message = excinfo.value.args[0]
    assert message == (
        "no task named 'worker-9'; tasks recorded: ['main', 'worker-1', 'worker-2', 'worker-3']"
    ), message
    with pytest.raises(KeyError, match="worker-9"):
        samples.three_workers().children("worker-9")


def test_task_view_timings():
    worker = samples.three_workers().task("worker-1")
    assert worker.awaited == ["sleep(0.5)", "sleep(0.5)"]
    assert worker.lifetime == (worker.started, worker.ended)
    assert worker.ended - worker.started == 1.0
    assert worker.running_time == 0.0 and worker.waiting_time == 1.0
    assert worker.steps[-1].waits_on is None


def test_task_view_of_a_task_that_never_ran():
    never = samples.outcomes().task("never-ran")
    assert never.steps == [] and never.lifetime is None and never.started is None
    assert never.cancelled


def test_duration_step_count_and_idle_time():
    timeline = samples.three_workers()
    assert timeline.duration == 1.5
    assert timeline.step_count == 9
    assert timeline.idle_time == 1.5
    assert [c.name for c in timeline.callbacks] == ["gather._done_callback"] * 3


def test_step_columns_round_trip_the_constructor_buffer():
    original = samples.blocking()
    rebuilt = Timeline(clock=original.clock, start=original.start, end=original.end, tasks=original.records,
                       steps=original._step_buffer, labels=original.labels)
    assert rebuilt.steps == original.steps


def test_constructor_rejects_bad_input():
    with pytest.raises(ValueError, match="clock"):
        Timeline(clock="wall", start=0, end=0, tasks=[], steps=array("d"), labels=[])
    with pytest.raises(ValueError, match="multiple of 5"):
        Timeline(clock="real", start=0, end=0, tasks=[], steps=array("d", [0.0] * 4), labels=[])


# ------------------------------------------------------------ jobs and internal tasks
def test_jobs_are_records_a_check_can_read():
    timeline = samples.with_jobs()
    fetch, parse, child = timeline.jobs
    assert (fetch.label, fetch.where, fetch.awaited_by) == ("to_thread(fetch)", "thread asyncio_0", 1)
    assert (parse.outcome, parse.detail) == ("raised", "ValueError: bad")
    assert (child.label, child.where, child.returncode) == ("subprocess(python -c)", "pid 4242", 0)


def test_without_internal_renumbers_tasks_and_reattaches_what_pointed_at_hidden_ones():
    timeline = samples.with_jobs()
    assert [t.internal for t in timeline.records] == [False, False, True]
    visible = timeline.without_internal()
    assert visible.task_names == ["main", "worker"]
    assert [s.task for s in visible.steps] == ["main", "worker", "worker", "worker", "main"]
    assert visible.jobs[2].awaited_by == 1, "a job awaited by a hidden task belongs to its parent"
    assert visible.task("worker").awaited == timeline.task("worker").awaited
    assert samples.three_workers().without_internal().records == samples.three_workers().records


def test_repr_counts_tasks_as_the_charts_do_and_says_how_many_of_asyncios_own_it_left_out():
    timeline = samples.with_jobs()
    visible = timeline.without_internal()
    assert repr(timeline) == (
        f"<Timeline 2 tasks, {visible.step_count} steps, {timeline.duration:g} s on virtual time; "
        "1 task of asyncio's own not counted>"
    )
    assert repr(visible) == f"<Timeline 2 tasks, {visible.step_count} steps, {timeline.duration:g} s on virtual time>"


def test_max_concurrency_leaves_internal_tasks_out():
    timeline = samples.with_jobs()
    assert timeline.max_concurrency() == 1
    assert timeline.max_concurrency(lambda t: t.name != "main") == 2


# ---------------------------------------------------- names, lateness, cancelling, turns
def test_default_task_names_are_numbered_within_the_timeline():
    timeline = samples.late_sleeper()
    assert timeline.display_names == ["main", "Task-1", "Task-2"]
    assert timeline.renamed() == {"Task-7": "Task-1", "Task-8": "Task-2"}
    assert timeline.records[1].name == "Task-7", "the record keeps asyncio's name"
    assert timeline.task("Task-2").coroutine == "ticker" and timeline.task("Task-8").coroutine == "ticker"
    assert timeline.display_label("wait_for(task 'Task-8')") == "wait_for(task 'Task-2')"


def test_repr_says_one_task_not_one_tasks():
    builder = TimelineBuilder()
    task = builder.task("main")
    builder.step(task, 0.0, None)
    builder.finish(task, 0.0)
    assert repr(builder.build(0.0)) == "<Timeline 1 task, 1 step, 0 s on virtual time>"


def test_a_sleep_that_woke_late_knows_when_it_was_due():
    timeline = samples.late_sleeper()
    (wait,) = timeline.task("Task-2").waits
    assert (wait.waits_on, wait.due) == ("sleep(0.1)", 1000.1)
    assert wait.late == pytest.approx(0.2)
    assert timeline.late_waits() == [wait]
    on_time = samples.three_workers().task("worker-1").waits
    assert [w.late for w in on_time] == [0.0, 0.0] and on_time[0].due == on_time[0].end
    assert samples.three_workers().task("main").waits[0].due is None, "only sleeps have a due time"


def test_cancellation_view_of_a_record():
    timeline = samples.cancelled()
    victim, catcher = timeline.cancellations
    assert victim.task == "victim" and victim.by == "task 'main'" and victim.requested == 1001.0
    assert victim.step == 1 and victim.outcome == "cancelled" and not victim.swallowed
    assert catcher.swallowed and catcher.detail == "'kept going'"
    assert timeline.task("main").cancellation is None


def test_step_turns_follow_the_order_steps_ran_in():
    builder = TimelineBuilder()
    main = builder.task("main")
    child = builder.task("child", parent=main)
    builder.step(main, 0.0, "sleep(0)")  # creates child: child runs in a later turn
    builder.step(child, 0.0, "sleep(0)")
    builder.step(main, 0.0, "sleep(1)")  # main's second step: turn 2, beside the child's first
    builder.step(child, 0.0, None)
    builder.finish(child, 0.0)
    builder.idle(0.0, 1.0)
    builder.step(main, 1.0, None)  # after waiting: a new turn
    builder.finish(main, 1.0)
    assert list(builder.build(1.0).step_turns()) == [1.0, 2.0, 2.0, 3.0, 4.0]


def test_a_task_that_awaited_another_runs_a_turn_after_its_end():
    builder = TimelineBuilder()
    main = builder.task("main")
    child = builder.task("child", parent=main)
    other = builder.task("other", parent=main)
    builder.step(main, 0.0, "task 'child'")
    builder.step(child, 0.0, "sleep(0)")
    builder.step(other, 0.0, "sleep(0)")
    builder.step(child, 0.0, None)  # turn 3: its end schedules main's wake-up
    builder.finish(child, 0.0)
    builder.step(other, 0.0, None)  # turn 3
    builder.finish(other, 0.0)
    builder.step(main, 0.0, None)  # turn 4, not 3: woken by child's end
    builder.finish(main, 0.0)
    assert list(builder.build(0.0).step_turns()) == [1.0, 2.0, 2.0, 3.0, 3.0, 4.0]


def test_late_threshold_is_wider_on_a_real_clock():
    builder = TimelineBuilder(clock="real")
    task = builder.task("main")
    builder.step(task, 0.0, "sleep(0.1)")
    builder.step(task, 0.104, "sleep(0.1)")  # 4 ms late: the scheduler, not a blocked loop
    builder.step(task, 0.304, None)  # 100 ms late
    builder.finish(task, 0.304)
    timeline = builder.build(0.304)
    assert timeline.late_threshold == BLOCKING_THRESHOLD and samples.three_workers().late_threshold == 0.001
    assert [round(w.late, 6) for w in timeline.task("main").waits] == [0.004, 0.1]
    assert [round(w.late, 6) for w in timeline.late_waits()] == [0.1]


def _many_steps(count: int) -> Timeline:
    """A timeline of ``count`` steps of one task, as a recorder hands them over (compact buffer)."""
    compact = array("d")
    for i in range(count):
        compact.extend((float(i), i + 0.5, 0.0 + (1.0 if i % 2 else FINISHED + 1.0) * LABEL_STRIDE))
    record = TaskRecord(index=0, name="main", coroutine="main", parent=None, created=0.0, finished=None,
                        outcome="pending", detail="")
    return Timeline.from_recording(clock="virtual", start=0.0, end=float(count), tasks=[record],
                                   compact_steps=compact, walls={3: 9.0}, labels=["sleep(0)"], callbacks=array("d"),
                                   idle=array("d"), root=0)


def test_step_columns_types_and_values():
    cols = _many_steps(4).step_columns()
    assert {name: c.typecode for name, c in cols.items()} == {
        "start": "d", "end": "d", "wall": "d", "task": "i", "label": "i",
    }
    assert list(cols["start"]) == [0.0, 1.0, 2.0, 3.0]
    assert list(cols["wall"]) == [0.5, 0.5, 0.5, 9.0]
    assert list(cols["task"]) == [0, 0, 0, 0]
    assert list(cols["label"]) == [FINISHED, 0, FINISHED, 0]


def test_step_columns_need_at_most_40_bytes_a_step_beyond_the_recording():
    # a million steps: 24 MB recorded, so the columns must fit in 40 MB to stay in the 64 MB budget
    timeline = _many_steps(100_000)
    tracemalloc.start()
    try:
        timeline.step_columns()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak / 100_000 <= 40, f"step_columns() peaked at {peak / 100_000:.1f} bytes a step"
