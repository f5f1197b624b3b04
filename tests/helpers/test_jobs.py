"""Tests for helpers._jobs: executor jobs and child processes, counted for the clock and kept as records."""

import asyncio
import concurrent.futures
import sys
import threading
import time

import pytest

import helpers
from helpers import _jobs
from helpers._jobs import program_name


def _sleep_then(value, seconds):
    time.sleep(seconds)
    return value


def _fails():
    raise KeyError("missing")


def _square(value):
    return value * value


# ------------------------------------------------------------ thread jobs
def test_each_way_of_handing_work_to_a_thread_is_a_job_with_its_record():
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="mine")

    async def main():
        loop = asyncio.get_running_loop()
        a = await asyncio.to_thread(_sleep_then, "a", 1)
        b = await loop.run_in_executor(pool, _sleep_then, "b", 0.5)
        c = await asyncio.wrap_future(pool.submit(_sleep_then, "c", 0.25))
        return a, b, c

    try:
        timeline = helpers.trace(main())
    finally:
        pool.shutdown()
    assert timeline.result == ("a", "b", "c")
    jobs = timeline.jobs
    assert [j.label for j in jobs] == ["to_thread(_sleep_then)", "run_in_executor(_sleep_then)", "submit(_sleep_then)"]
    assert [(j.submitted, j.started, j.ended) for j in jobs] == [(0.0, 0.0, 1.0), (1.0, 1.0, 1.5), (1.5, 1.5, 1.75)]
    assert [j.kind for j in jobs] == ["thread"] * 3
    assert [j.outcome for j in jobs] == ["returned"] * 3
    assert [j.detail for j in jobs] == ["'a'", "'b'", "'c'"]
    assert jobs[0].worker.startswith("asyncio_") and jobs[1].worker == jobs[2].worker == "mine_0"
    assert {j.awaited_by for j in jobs} == {timeline.root}
    assert timeline.task("main").awaited == [j.label for j in jobs], "each wait is named after its job"


def test_gather_of_executor_jobs_links_every_job_to_the_task_that_awaits_them():
    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            return await asyncio.gather(*(loop.run_in_executor(pool, _square, i) for i in range(3)))

    timeline = helpers.trace(main())
    assert timeline.result == [0, 1, 4]
    assert timeline.task("main").awaited == ["gather(3)"]
    assert [(j.target, j.awaited_by, j.detail) for j in timeline.jobs] == [
        ("_square", timeline.root, "0"),
        ("_square", timeline.root, "1"),
        ("_square", timeline.root, "4"),
    ]


def test_a_job_that_raises_and_one_cancelled_before_it_started():
    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            first = loop.run_in_executor(pool, _sleep_then, 1, 1.0)
            second = loop.run_in_executor(pool, _fails)
            second.cancel()  # still queued behind the first: it never starts
            await first
            try:
                await loop.run_in_executor(pool, _fails)
            except KeyError as exc:
                return repr(exc)

    timeline = helpers.trace(main())
    assert timeline.result == "KeyError('missing')"
    first, cancelled, failed = timeline.jobs
    assert (first.outcome, first.ended) == ("returned", 1.0)
    assert (cancelled.outcome, cancelled.started) == ("cancelled", None)
    assert (failed.outcome, failed.detail) == ("raised", "KeyError: 'missing'")


def test_a_process_pool_job_has_a_record():
    async def main():
        with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
            return await asyncio.wrap_future(pool.submit(_square, 12))

    timeline = helpers.trace(main(), wall_limit=60)
    assert timeline.result == 144
    (job,) = timeline.jobs
    assert (job.kind, job.label, job.outcome, job.detail) == ("process", "submit(_square)", "returned", "144")
    assert job.awaited_by == timeline.root


def test_submit_is_patched_only_while_a_loop_runs_and_only_for_its_threads():
    original = concurrent.futures.ThreadPoolExecutor.submit
    seen = {}

    def unrelated():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            seen["untracked"] = pool.submit(int).result()

    outsider = threading.Thread(target=unrelated)

    async def main():
        seen["patched"] = concurrent.futures.ThreadPoolExecutor.submit is not original
        await asyncio.to_thread(int)

    outsider_ready = threading.Event()
    gate = threading.Event()

    def waiting_outsider():
        outsider_ready.set()
        gate.wait(5)
        unrelated()

    outsider = threading.Thread(target=waiting_outsider)
    outsider.start()
    outsider_ready.wait(5)

    async def main_with_outsider():
        await main()
        gate.set()
        await asyncio.to_thread(outsider.join)

    timeline = helpers.trace(main_with_outsider())
    assert seen == {"patched": True, "untracked": 0}
    assert concurrent.futures.ThreadPoolExecutor.submit is original
    assert [j.target for j in timeline.jobs] == ["int", "join"], "a thread that existed before the run is not ours"
    assert _jobs.active_logs() == []


def test_pending_count_leaves_out_work_queued_behind_busy_workers():
    loop = helpers.VirtualTimeLoop()
    try:
        log = loop.jobs
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        jobs = [log.new_job("thread", "f", "submit", pool) for _ in range(3)]
        assert log.pending_count() == 1, "three queued jobs, one free worker"
        log._started(jobs[0])
        assert log.pending_count() == 1, "one running, two queued behind it"
        for job in jobs:
            log.settle(job)
        assert log.pending_count() == 0 and log.unsettled() == 0
        pool.shutdown()
    finally:
        loop.close()


# -------------------------------------------------------------- children
_CHILD = "import sys, time; time.sleep(float(sys.argv[1])); print('slept', sys.argv[1])"


async def _child(seconds):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, str(seconds), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return out.decode().strip()


def test_children_that_sleep_take_exactly_their_sleeps_on_virtual_time():
    async def main():
        return await asyncio.gather(_child(1), _child(2), _child(0.5))

    started = time.perf_counter()
    timeline = helpers.trace(main(), wall_limit=60)
    assert time.perf_counter() - started < 1.9, "the children's sleeps were real"
    assert timeline.result == ["slept 1", "slept 2", "slept 0.5"]
    assert timeline.duration == 2.0
    assert [(j.kind, j.target, j.ended, j.returncode, j.outcome) for j in timeline.jobs] == [
        ("child", "python -c", 1.0, 0, "exited"),
        ("child", "python -c", 2.0, 0, "exited"),
        ("child", "python -c", 0.5, 0, "exited"),
    ]
    assert all(isinstance(j.pid, int) for j in timeline.jobs)
    workers = [t for t in timeline.tasks if t.coroutine == "_child"]
    assert [j.awaited_by for j in timeline.jobs] == [t.index for t in workers]


def test_a_lesson_with_children_prints_the_same_timeline_every_run():
    async def main():
        # named tasks: default names count tasks process-wide
        await asyncio.gather(
            asyncio.create_task(_child(1), name="one"),
            asyncio.create_task(_child(0.25), name="quarter"),
            asyncio.create_task(asyncio.sleep(0.5), name="timer"),
        )

    texts = {str(helpers.trace(main(), wall_limit=60)) for _ in range(4)}
    assert len(texts) == 1, "\n\n".join(texts)
    text = texts.pop()
    assert "1.000 s of virtual time: 4 tasks" in text
    assert "subprocess(python -c)  child      0.000    0.000  0.250  exited 0  quarter" in text
    assert "Process._read_stream" not in text, "asyncio's pipe readers are hidden by default"


def test_a_child_environment_is_its_own_again_once_it_runs(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    code = "import os, sys; print(os.environ.get('PYTHONPATH'), 'HELPERS_CLOCK_FD' in os.environ)"

    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return out.decode().split()

    assert helpers.trace(main(), wall_limit=60).result == ["/somewhere/else", "False"]


def test_children_on_real_time_have_records():
    async def main():
        return await _child(0.05)

    timeline = helpers.trace(main(), virtual=False, wall_limit=60)
    (job,) = timeline.jobs
    assert job.outcome == "exited" and 0.04 < job.ended - job.started < 5


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ([sys.executable, "-c", "print(1)"], "python -c"),
        (["/bin/ls", "-l", "/tmp"], "ls -l"),
        ("sleep 1", "sleep 1"),
        ([b"/usr/bin/env", b"python3", b"x.py"], "env python3"),
        ([], "?"),
    ],
)
def test_program_names_are_short_and_stable(args, name):
    assert program_name(args) == name


def test_the_real_time_spent_starting_a_child_is_not_a_blocking_step(monkeypatch):
    """Fork and exec happen inside the step that starts the child: asyncio's work, not the program's."""
    import asyncio.unix_events

    from helpers import _loop

    start = asyncio.unix_events._UnixSubprocessTransport._start

    def slow_start(self, *args, **kwargs):
        _loop._real_sleep(0.1)  # a machine so busy that starting a child takes a tenth of a second
        return start(self, *args, **kwargs)

    monkeypatch.setattr(asyncio.unix_events._UnixSubprocessTransport, "_start", slow_start)

    async def main():
        time.sleep(0.2)  # the program's own blocking call still counts
        await asyncio.sleep(0)  # the child starts in a step of its own
        return await _child(0)

    timeline = helpers.trace(main(), wall_limit=60)
    assert timeline.result == "slept 0"
    assert [(s.start, s.end) for s in timeline.blocking()] == [(0.0, 0.2)]
