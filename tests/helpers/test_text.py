"""Tests for helpers._text: the text chart and table of a timeline."""

import re

import timeline_samples as samples

from helpers._text import render

THREE_WORKERS = """\
1.500 s of virtual time: 4 tasks, 9 steps, at most 3 at once besides main, loop idle 1.500 s
          0.0                 0.5                 1.0                1.5 s
main     |#----------------------------------------------------------#|
worker-1 |#-------------------#-------------------#                   |
worker-2 |#---------------------------------------#                   |
worker-3 |#----------------------------------------------------------#|
loop     |#...................#...................#..................#|
legend: # running a step   ! step blocking the loop (>= 0.05 s)   - waiting   . loop idle

task      coroutine  created  started  ended  steps  running  waiting  outcome   awaited
main      main         0.000    0.000  1.500      2    0.000    1.500  returned  gather
worker-1  worker       0.000    0.000  1.000      3    0.000    1.000  returned  sleep(0.5) x2
worker-2  worker       0.000    0.000  1.000      2    0.000    1.000  returned  sleep(1.0)
worker-3  worker       0.000    0.000  1.500      2    0.000    1.500  returned  sleep(1.5)"""


def _chart_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.endswith("|")]


def test_three_workers_exact_output():
    assert render(samples.three_workers()) == THREE_WORKERS


def test_str_of_timeline_is_the_text_view():
    timeline = samples.three_workers()
    assert str(timeline) == render(timeline)


def test_same_input_same_text():
    assert render(samples.outcomes()) == render(samples.outcomes())
    assert render(samples.many_tasks()) == render(samples.many_tasks())


def test_wall_seconds_never_change_virtual_time_text():
    quick, slower = samples.TimelineBuilder(), samples.TimelineBuilder()
    for builder, wall in ((quick, 0.00001), (slower, 0.02)):
        task = builder.task("main")
        builder.step(task, 0.0, "sleep(1.0)", wall=wall)
        builder.step(task, 1.0, None, wall=wall)
        builder.finish(task, 1.0)
    assert render(quick.build(1.0)) == render(slower.build(1.0))


def test_times_have_three_decimals_and_no_float_noise():
    builder = samples.TimelineBuilder(start=1000.0)
    task = builder.task("main")
    builder.step(task, 0.1, "sleep(0.2)")
    builder.step(task, 0.1 + 0.2, "sleep(0.7)")  # 0.30000000000000004
    builder.step(task, 0.999999999, None)
    builder.finish(task, 0.999999999)
    text = render(builder.build(1.0))
    assert "0.30000000000000004" not in text and "0.999999" not in text
    table_row = text.splitlines()[-1].split()
    assert table_row[:8] == ["main", "main", "0.000", "0.100", "1.000", "3", "0.000", "0.900"], table_row


def test_rows_in_order_of_first_step_and_never_ran_last():
    text = render(samples.outcomes())
    names = [row.split()[0] for row in _chart_rows(text)]
    assert names == ["main", "sleeper", "failer", "waiter", "never-ran", "loop"]
    assert _chart_rows(text)[4] == "never-ran |" + " " * 60 + "|"


def test_outcomes_and_pending_wait_in_table():
    text = render(samples.outcomes())
    rows = {line.split()[0]: line for line in text.splitlines()[-5:]}
    assert "raised ValueError" in rows["failer"] and "bad input" not in rows["failer"]
    assert "cancelled" in rows["sleeper"]
    assert rows["never-ran"].split()[3] == "-", "a task that never ran has no first step"
    assert "pending" in rows["waiter"] and rows["waiter"].endswith("Event.wait")
    # a pending task waits until recording stopped: its row ends with waiting, not blank
    assert _chart_rows(text)[3].endswith("-|")


def test_blocking_step_is_drawn_and_named():
    text = render(samples.blocking())
    rows = {row.split()[0]: row for row in _chart_rows(text)}
    assert "!" in rows["blocker"] and "!" in rows["loop"]
    assert "!" not in rows["ticker"]
    assert "blocked the loop: blocker at 0.001 s for 0.300 s" in text
    assert re.search(r"blocker\s+blocker\s+0\.000\s+0\.000\s+0\.400\s+3\s+0\.300\s+0\.100", text)
    # real time: a short step's running time says it was short, not zero
    assert re.search(r"ticker .* <0\.001 ", text)


def test_200_tasks_are_capped_and_lines_stay_short():
    text = render(samples.many_tasks(200))
    assert len(_chart_rows(text)) == 20 + 1  # 20 tasks and the loop
    assert "... 181 more tasks, first steps from 0.190 to 1.990 s" in text
    assert "... 181 more tasks (all of them: timeline.tasks)" in text
    assert len(text.splitlines()) < 60
    assert max(len(line) for line in text.splitlines()) <= 100
    assert len(_chart_rows(render(samples.many_tasks(200), max_tasks=300))) == 202


def test_awaited_column_counts_repeats_and_never_cuts_a_label():
    text = render(samples.sequential())
    main_row = [line for line in text.splitlines() if line.startswith("main ")][-1]
    assert main_row.endswith("Task download-1, +1 more")
    assert all(len(line) <= 110 for line in text.splitlines())


def test_zero_duration_and_empty_timelines():
    instant = render(samples.instant(), by="time")
    assert [row.split("|")[1] for row in _chart_rows(instant)] == ["#" + " " * 59] * 3
    # with no time passing, the default draws loop turns: main runs, child runs, main resumes
    assert [row.split("|")[1] for row in _chart_rows(render(samples.instant()))] == [
        "###-### ",
        "    ### ",
        "### ### ",
    ]
    assert render(samples.empty()) == "0.000 s of virtual time: 0 tasks, 0 steps, loop idle 0.000 s"


def test_width_sets_the_chart_width():
    rows = _chart_rows(render(samples.three_workers(), width=30))
    assert {len(row.split("|")[1]) for row in rows} == {30}


def test_blocked_line_on_virtual_time_gives_loop_seconds_only():
    builder = samples.TimelineBuilder()
    slow, wall_only = builder.task("slow"), builder.task("wall-only")
    builder.step(slow, 0.0, "sleep(1)", end=0.25, wall=0.2512)
    builder.step(wall_only, 0.25, None, wall=0.3)
    builder.finish(wall_only, 0.25)
    text = render(builder.build(1.0))
    assert "blocked the loop: slow at 0.000 s for 0.250 s, wall-only at 0.250 s\n" in text
    assert "0.251" not in text and "0.300" not in text, "wall seconds vary from run to run: never print them"


# ------------------------------------------------------------ work off the loop
def test_jobs_get_rows_under_the_task_that_awaits_them_and_a_table():
    text = render(samples.with_jobs())
    rows = [line.split("|")[0].rstrip() for line in text.splitlines() if "|" in line]
    assert rows == ["main", "worker", "> fetch", "> python -c", "> parse", "loop"], (
        "each job sits under the task awaiting it (a job awaited by a hidden task under that task's parent); "
        "jobs nobody awaited come after the tasks"
    )
    assert "> fetch     |===============================                             |" in text
    assert "> parse     |_______________===============================              |" in text, "queued, then running"
    assert "jobs:   = running off the loop (thread or child process)   _ waiting for a worker" in text
    table = text.split("\n\njob ")[1].splitlines()
    assert table[1].split() == ["to_thread(fetch)", "thread", "0.000", "0.000", "1.000", "returned", "'page'", "worker"]
    assert table[2].split()[-3:] == ["raised", "ValueError", "-"]
    assert table[3].split()[-3:] == ["exited", "0", "worker"]


def test_job_rows_show_only_what_every_run_repeats():
    text = render(samples.with_jobs())
    assert "asyncio_0" not in text and "4242" not in text, "thread names and pids vary between runs"


def test_internal_tasks_are_hidden_unless_asked_for():
    timeline = samples.with_jobs()
    assert "Task-9" not in render(timeline)
    shown = render(timeline, show_internal=True)
    assert "Task-1  Process._read_s..." in shown
    assert "> python -c |" in shown.split("Task-1      |")[1].splitlines()[1], "the child sits under its reader"


def test_no_job_lines_without_jobs():
    text = render(samples.three_workers())
    assert "jobs:" not in text and "\njob " not in text


def test_many_jobs_are_cut_with_a_note():
    b = samples.TimelineBuilder()
    main = b.task("main")
    b.step(main, 0.0, "gather(30)")
    b.step(main, 1.0, None)
    b.finish(main, 1.0)
    for _ in range(30):
        b.job("thread", "f", "to_thread", 0.0, 0.0, 1.0, awaited_by=main)
    text = render(b.build(end=1.0), max_jobs=5)
    assert text.count("> f ") == 5
    assert text.endswith("... 25 more jobs (all of them: timeline.jobs)")


def test_late_sleep_is_drawn_listed_and_in_the_table():
    text = render(samples.late_sleeper())
    rows = {row.split()[0]: row.split("|")[1] for row in _chart_rows(text)}
    assert rows["Task-2"] == "#" + "-" * 19 + "~" * 39 + "#"
    assert "woke late: Task-2 due 0.100 s, woke 0.300 s (late by 0.200 s)" in text
    assert "~ woke late (sleep was due)" in text
    header = next(line for line in text.splitlines() if line.startswith("task "))
    ticker = next(line for line in text.splitlines() if line.startswith("Task-2 ") and "ticker" in line)
    assert header.split()[8:10] == ["late", "by"] and ticker.split()[8] == "0.200"
    assert "late by" not in render(samples.three_workers()), "no column when nothing woke late"


def test_back_to_back_steps_are_parted():
    rows = {row.split()[0]: row.split("|")[1] for row in _chart_rows(render(samples.late_sleeper()))}
    assert rows["Task-1"] == "!" * 20 + ":" + "!" * 19 + ":" + "!" * 19
    assert all(":" not in row for row in _chart_rows(render(samples.three_workers())))


def test_cancelled_tasks_are_marked_and_explained():
    text = render(samples.cancelled())
    rows = {row.split()[0]: row.split("|")[1] for row in _chart_rows(text)}
    assert rows["victim"].endswith("-x") and rows["catcher"].endswith("-x") and "x" not in rows["main"]
    assert "cancelled: victim: cancel() at 1.000 s by task 'main'; thrown in at 1.000 s; ended cancelled" in text
    caught = "cancelled: catcher: cancel() at 1.000 s by task 'main'; thrown in at 1.000 s; caught it and returned"
    assert caught in text
    assert "x CancelledError thrown in" in text


def test_default_names_are_renumbered_and_the_real_ones_given():
    text = render(samples.late_sleeper())
    assert "Task-7" not in text and "Task-8" not in text, "process-wide numbers change from run to run"
    assert text.endswith(
        "Task-1 to Task-2: asyncio's default names, numbered within this timeline (real names: timeline.renamed())"
    )


def test_no_count_of_zero_tasks_at_once():
    builder = samples.TimelineBuilder()
    task = builder.task("main")
    builder.step(task, 0.0, "sleep(1)")
    builder.step(task, 1.0, None)
    builder.finish(task, 1.0)
    headline = render(builder.build(1.0)).splitlines()[0]
    assert headline == "1.000 s of virtual time: 1 task, 2 steps, loop idle 0.000 s"


def test_by_turn_is_asked_for_or_rejected():
    text = render(samples.three_workers(), by="turn")
    assert samples.three_workers().text(by="turn") == text
    assert text.splitlines()[0].endswith("; drawn by loop turn") and " turn" in text.splitlines()[1]
    try:
        render(samples.three_workers(), by="steps")
    except ValueError as error:
        assert "'auto', 'time' or 'turn'" in str(error)
    else:
        raise AssertionError("by='steps' was accepted")


def test_a_long_name_is_whole_in_the_chart_where_the_line_has_room():
    builder = samples.TimelineBuilder()
    main = builder.task("main")
    long = builder.task("download-the-big-file-from-mirror", "download", parent=main)
    builder.step(main, 0.0, "gather(1)")
    builder.step(long, 0.0, "sleep(1)")
    builder.step(long, 1.0, None)
    builder.finish(long, 1.0)
    builder.step(main, 1.0, None)
    builder.finish(main, 1.0)
    text = render(builder.build(1.0))
    assert "download-the-big-file-from-mirror |#" in text
    assert "download-the-bi... " in text, "the table keeps its 100 characters"
    assert max(len(line) for line in text.splitlines()) <= 100


def test_a_cancel_before_the_first_step_says_so():
    builder = samples.TimelineBuilder()
    main = builder.task("main")
    early = builder.task("early", "nap", parent=main)
    builder.step(main, 0.0, "sleep(0)")
    record = builder.records[early]
    record.cancel_requested, record.cancel_step = builder.start, len(builder.steps) // 5
    builder.step(early, 0.0, None)
    builder.finish(early, 0.0, "cancelled", "")
    builder.step(main, 0.0, None)
    builder.finish(main, 0.0)
    text = render(builder.build(0.0))
    assert "cancelled: early: cancel() before its first step; thrown in at 0.000 s; ended cancelled" in text
