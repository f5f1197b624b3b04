"""helpers.grading.cluster on a real Dask cluster (one ``dask scheduler``, two ``dask worker`` on localhost),
and helpers.grading.changes (regrade only what changed).

The jobs are stand-ins for the grading pipeline's ``execute``: they sleep, leave marker files and return
their process ids, so that the tests can tell where and how often each job ran.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="dask distributed is not installed (pip install -e '.[course]')")

import cloudpickle  # noqa: E402
import psutil  # noqa: E402

from helpers.grading import cluster  # noqa: E402
from helpers.grading.changes import Changes  # noqa: E402

# The stand-ins below travel to the workers by value (run_on_dask sends the function as cloudpickle bytes):
# neither the scheduler nor the workers need to import this test file.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

BIN = Path(sys.executable).parent


# --- stand-ins for pipeline.execute (they run on the workers) -----------------------------------------------


def sleepy(job: tuple[str, str, float]) -> tuple[str, int, int]:
    """Mark the start, sleep, return (name, pid, process group): the group is that of the ``dask worker``."""
    folder, name, seconds = job
    pid, group = os.getpid(), os.getpgid(0)
    Path(folder, f"{name}.{pid}.{group}.started").touch()
    time.sleep(seconds)
    return name, pid, group


def sleepy_with_child(job: tuple[str, str, float]) -> int:
    """Start a child in its own session, mark the start (with both pids), sleep."""
    folder, name, seconds = job
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    Path(folder, f"{name}.{os.getpid()}.{child.pid}.started").touch()
    time.sleep(seconds)
    return os.getpid()


def fails(job: tuple[str, str]) -> None:
    folder, name = job
    Path(folder, f"{name}.{os.getpid()}.ran").touch()
    raise ValueError(f"{name} is not a notebook")


def dies(job: tuple[str, str]) -> None:
    folder, name = job
    Path(folder, f"{name}.{os.getpid()}.ran").touch()
    os._exit(3)


def flaky(job: tuple[str, str]) -> dict[str, bool]:
    """Answers "transient" the first time (as a kernel that did not start), fine the second."""
    folder, name = job
    Path(folder, f"{name}.{os.getpid()}.ran").touch()
    return {"transient": len(list(Path(folder).glob(f"{name}.*.ran"))) == 1}


def kills_its_worker(job: int) -> None:
    """A hostile job: kill the worker process that runs it (job <- fork server <- worker)."""
    worker = psutil.Process(os.getppid()).parent()
    worker.kill()
    time.sleep(30)


def leaves_processes(job: int) -> tuple[int, int, int]:
    """Start a child in its own session and an orphan (double fork), as a hostile kernel could; return the pids."""
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    shell = subprocess.run(["sh", "-c", "setsid sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    return os.getpid(), child.pid, int(shell.stdout)


# --- one scheduler and two workers for the module -----------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _left_in_groups(groups: set[int]) -> list[psutil.Process]:
    left = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) in groups and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except (ProcessLookupError, psutil.Error):
            pass
    return left


class DaskCluster:
    def __init__(self, folder: Path) -> None:
        env = {
            **os.environ,
            "DASK_DISTRIBUTED__SCHEDULER__IDLE_TIMEOUT": "300s",  # a safety net if pytest dies
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
        }
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        log = folder / "scheduler.log"
        started = time.monotonic()
        self.scheduler = self._start(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0"], log, env
        )
        deadline = time.monotonic() + 60
        self.address = ""
        while not self.address and time.monotonic() < deadline:
            for line in log.read_text().splitlines():
                if "Scheduler at:" in line:
                    self.address = line.split("Scheduler at:")[1].strip()
            time.sleep(0.05)
        assert self.address, log.read_text()
        self.workers = [
            self._start(
                ["worker", self.address, "--nthreads", "1", "--host", "127.0.0.1", "--dashboard-address",
                 "127.0.0.1:0", "--local-directory", str(folder / f"worker{n}"), "--death-timeout", "30"],
                folder / f"worker{n}.log",
                env,
            )
            for n in range(2)
        ]  # fmt: skip
        from distributed import Client

        self.client = Client(self.address, timeout=60)
        self.client.wait_for_workers(2, timeout=60)
        self.start_seconds = time.monotonic() - started

    def _start(self, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(BIN / "dask"), *args], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """The machine dies: SIGKILL the ``dask`` process and everything in its group (worker, jobs)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def close(self) -> None:
        self.client.close()
        groups = {proc.pid for proc in self.procs}
        for proc in self.procs:
            self.kill(proc)
        deadline = time.monotonic() + 10
        while _left_in_groups(groups) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _left_in_groups(groups), "processes of the test cluster are still running"


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory):
    running = DaskCluster(tmp_path_factory.mktemp("dask"))
    print(f"scheduler and 2 workers up in {running.start_seconds:.1f} s")
    yield running
    running.close()


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    return tmp_path


# --- the tests (the one that kills a worker runs last) ----------------------------------------------------------


def test_results_come_back_once_each_in_the_coordinator(dask_cluster: DaskCluster, markers: Path):
    seen: list[tuple[str, int]] = []
    drawn: list[int] = []

    def jobs():  # prepared one by one, when there is room for them
        for n in range(6):
            drawn.append(n)
            yield (str(markers), f"s{n}", 0.2)

    def on_result(outcome: cluster.Outcome) -> None:
        seen.append((outcome.key, os.getpid()))
        assert len(drawn) <= len(seen) + 3, "more than in_flight jobs were handed out"

    outcomes = cluster.run_on_dask(
        sleepy,
        jobs(),
        scheduler=dask_cluster.address,
        workers=2,
        key=lambda job: job[1],
        on_result=on_result,
        in_flight=3,
    )
    assert sorted(seen) == sorted((f"s{n}", os.getpid()) for n in range(6)), "one call per job, in this process"
    assert [o.key for o in outcomes] == [f"s{n}" for n in range(6)], "outcomes in the order of the jobs"
    assert all(o.ok and o.attempts == 1 and o.seconds >= 0.2 for o in outcomes)
    pids = [o.value[1] for o in outcomes]
    assert len(set(pids)) == 6, "every job ran in a process of its own"
    assert {o.value[2] for o in outcomes} == {w.pid for w in dask_cluster.workers}, "both workers took jobs"
    assert {o.worker for o in outcomes} == set(dask_cluster.client.scheduler_info()["workers"])


def test_a_permanent_failure_runs_once_and_a_transient_one_is_retried_a_bounded_number_of_times(
    dask_cluster: DaskCluster, markers: Path
):
    client = dask_cluster.client  # a Client is accepted as well as an address
    (failed,) = cluster.run_on_dask(fails, [(str(markers), "broken")], scheduler=client, retries=3)
    assert not failed.ok and not failed.transient and failed.attempts == 1
    assert failed.error == "ValueError: broken is not a notebook"
    assert "Traceback" in failed.traceback
    assert len(list(markers.glob("broken.*.ran"))) == 1, "a job that raised is not run again"

    (died,) = cluster.run_on_dask(dies, [(str(markers), "crash")], scheduler=client, retries=2)
    assert not died.ok and died.transient and died.attempts == 3
    assert died.error == "the job's process exited with code 3 before answering"
    assert len(list(markers.glob("crash.*.ran"))) == 3, "retried twice, then given up"

    (flake,) = cluster.run_on_dask(
        flaky, [(str(markers), "flake")], scheduler=client, retry_if=lambda value: value["transient"]
    )
    assert flake.ok and flake.value == {"transient": False} and flake.attempts == 2

    (slow,) = cluster.run_on_dask(time.sleep, [30], scheduler=client, retries=0, timeout=0.5)
    assert not slow.ok and slow.transient and slow.error == "the job overran 0.5 s and was killed"
    assert slow.seconds < 10


def test_what_a_job_starts_ends_with_it(dask_cluster: DaskCluster):
    outcomes = cluster.run_on_dask(leaves_processes, [1, 2], scheduler=dask_cluster.address)
    for outcome in outcomes:
        assert outcome.ok, outcome.error
        job, child, orphan = outcome.value
        assert _gone(job) and _gone(child) and _gone(orphan), "a process the job started outlived it"
    assert outcomes[0].value[0] != outcomes[1].value[0]


def test_a_job_that_kills_every_worker_it_runs_on_is_given_up(dask_cluster: DaskCluster):
    """The test scheduler allows one worker death per job (ALLOWED_FAILURES=1; Dask's default is 3)."""
    (poison,) = cluster.run_on_dask(kills_its_worker, [1], scheduler=dask_cluster.address, retries=3)
    assert not poison.ok and not poison.transient and poison.attempts == 1
    assert poison.error.startswith("KilledWorker: Attempted to run task"), poison.error
    dask_cluster.client.wait_for_workers(2, timeout=60)  # the nannies start new worker processes


def test_a_worker_process_that_dies_takes_its_jobs_processes_with_it(dask_cluster: DaskCluster, markers: Path):
    """The out-of-memory killer takes the worker process alone: its nanny starts a new one, and the job's
    process and what it started must not run on, orphaned."""
    ended: list[bool] = []

    def kill_a_worker_process() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for marker in markers.glob("o*.started"):
                job, child = (int(pid) for pid in marker.name.split(".")[1:3])
                worker = psutil.Process(job).parent().parent()  # job <- fork server <- worker (<- nanny)
                assert worker.pid not in {w.pid for w in dask_cluster.workers}, "that is the nanny"
                worker.kill()
                while not (_gone(job) and _gone(child)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                ended.append(_gone(job) and _gone(child))
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_worker_process)
    killer.start()
    jobs = [(str(markers), f"o{n}", 0.8) for n in range(3)]
    outcomes = cluster.run_on_dask(sleepy_with_child, jobs, scheduler=dask_cluster.address, key=lambda job: job[1])
    killer.join()
    assert ended == [True], "the job's process or its child outlived the worker"
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    dask_cluster.client.wait_for_workers(2, timeout=60)  # the nanny started a new worker process


def test_a_worker_killed_mid_job_loses_no_job(dask_cluster: DaskCluster, markers: Path):
    jobs = [(str(markers), f"k{n}", 0.8) for n in range(6)]
    workers = {w.pid: w for w in dask_cluster.workers}
    killed: list[int] = []

    def kill_the_first_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for marker in markers.glob("k*.started"):
                group = int(marker.name.split(".")[2])
                dask_cluster.kill(workers[group])
                killed.append(group)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_first_busy_worker)
    killer.start()
    delivered: list[str] = []
    outcomes = cluster.run_on_dask(
        sleepy,
        jobs,
        scheduler=dask_cluster.address,
        key=lambda job: job[1],
        on_result=lambda outcome: delivered.append(outcome.key),
    )
    killer.join()
    assert killed, "no worker was killed"
    assert sorted(delivered) == [f"k{n}" for n in range(6)], "every job delivered exactly once"
    assert all(o.ok and o.attempts == 1 for o in outcomes), [o.error for o in outcomes if not o.ok]
    survivor = next(pid for pid in workers if pid != killed[0])
    assert {o.value[2] for o in outcomes} == {survivor}, "the results came from the worker that lived"
    interrupted = [o.key for o in outcomes if len(list(markers.glob(f"{o.key}.*.started"))) == 2]
    assert len(interrupted) == 1, "the job that was running on the killed worker ran again elsewhere"


def test_a_local_cluster_needs_no_scheduler(markers: Path):
    here = os.getpid()
    callers: list[int] = []
    jobs = [(str(markers), f"l{n}", 0.1) for n in range(4)]
    outcomes = cluster.run_on_dask(sleepy, jobs, workers=2, on_result=lambda outcome: callers.append(os.getpid()))
    assert all(o.ok for o in outcomes) and callers == [here] * 4
    assert len({o.worker for o in outcomes}) == 2, "two worker processes"
    assert here not in {o.value[1] for o in outcomes}


def test_run_isolated_reports_instead_of_raising():
    assert cluster.run_isolated(abs, -3)["value"] == 3
    result = cluster.run_isolated(int, "x")
    assert not result["ok"] and result["error"].startswith("ValueError: invalid literal") and not result["transient"]


# --- regrade only what changed ------------------------------------------------------------------------------


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.source_directory = 'solutions'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp_path}/data/gradebook.db?timeout=30'\n"
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "gradebook.db").write_bytes(b"")
    files = {"solutions/01-x": "source", "submitted/alice/01-x": "alice 1", "submitted/bob/01-x": "bob 1"}
    for folder, text in files.items():
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "01-x.ipynb").write_text(text)
    return tmp_path


def _graded(course: Path, changes: Changes, student: str) -> None:
    fingerprint = changes.fingerprint("01-x", student)  # taken when the job is prepared
    (course / "autograded" / student / "01-x").mkdir(parents=True, exist_ok=True)  # what record leaves
    changes.remember("01-x", student, fingerprint, flags=[])


def test_changes_regrades_only_what_changed(course: Path):
    changes = Changes(course)
    assert changes.path == course / "data" / "gradebook.db.fingerprints.json", "beside the gradebook"
    assert changes.needs_grading("01-x", "alice") and changes.needs_grading("01-x", "bob"), "never graded"
    _graded(course, changes, "alice")
    _graded(course, changes, "bob")
    assert not Changes(course).needs_grading("01-x", "alice"), "unchanged: skipped (and remembered on disk)"
    assert Changes(course).needs_grading("01-x", "alice", force=True), "force regrades"
    assert Changes(course).recall("01-x", "alice")["flags"] == []

    (course / "submitted/alice/01-x/01-x.ipynb").write_text("alice 2")
    changes = Changes(course)
    assert changes.needs_grading("01-x", "alice") and not changes.needs_grading("01-x", "bob"), "alice resubmitted"
    _graded(course, changes, "alice")
    assert not changes.needs_grading("01-x", "alice")

    (course / "submitted/bob/01-x/timestamp.txt").write_text("2026-11-26 10:00:00")
    assert changes.needs_grading("01-x", "bob"), "a new submission time can change the late penalty"
    _graded(course, changes, "bob")

    (course / "solutions/01-x/01-x.ipynb").write_text("source with another hidden test")
    assert changes.needs_grading("01-x", "alice") and changes.needs_grading("01-x", "bob"), "the tests changed"
    _graded(course, changes, "alice")
    assert Changes(course, extra={"timeout": 5}).needs_grading("01-x", "alice"), "other grading options"
    (course / "kernel-config").mkdir()
    (course / "kernel-config" / "ipython_kernel_config.json").write_text("{}")
    assert changes.needs_grading("01-x", "alice"), "the kernels are configured otherwise"


def test_changes_regrades_when_the_grade_is_gone(course: Path):
    changes = Changes(course)
    _graded(course, changes, "alice")
    _graded(course, changes, "bob")
    changes.forget("01-x", "alice")  # its last grading failed
    assert changes.needs_grading("01-x", "alice") and not changes.needs_grading("01-x", "bob")
    (course / "autograded/bob/01-x").rmdir()
    assert changes.needs_grading("01-x", "bob"), "the autograded copy was removed"
    _graded(course, changes, "bob")
    (course / "data" / "gradebook.db").unlink()
    assert changes.needs_grading("01-x", "bob"), "a new gradebook grades everyone"


# --- the real thing: python -m helpers.grading ID --scheduler ADDRESS ------------------------------------------


def test_a_class_is_graded_on_the_cluster_and_recorded_here_once(dask_cluster: DaskCluster, tmp_path: Path):
    """Real students of 00-start-here, graded through the command line on the test cluster's two workers."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
    import nbformat
    from coursedir import ROOT, cell_scores, course_env, make_course, nbgrader
    from submission import build

    assignment = "00-start-here"
    course = make_course(tmp_path / "course", [assignment])
    nbgrader(course, "generate_assignment", assignment)
    students = {"solved": build(assignment, None), "untouched": None}
    for student, nb in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        if nb is None:
            (folder / f"{assignment}.ipynb").write_text(
                (ROOT / "notebooks" / assignment / f"{assignment}.ipynb").read_text()
            )
        else:
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    command = [sys.executable, "-m", "helpers.grading", assignment, "--scheduler", dask_cluster.address]
    command += ["--no-progress", "--no-report"]

    def grade() -> str:
        proc = subprocess.run(command, cwd=course, env=course_env(course), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    first = grade()
    assert "2 of 2 graded" in first, first
    scores = {student: cell_scores(course, assignment, student) for student in students}
    assert all(score == maximum for score, maximum in scores["solved"].values()), scores
    assert all(score == 0 for score, _ in scores["untouched"].values()), scores
    assert (course / "autograded" / "solved" / assignment / f"{assignment}.ipynb").exists()
    second = grade()  # nothing changed: nothing is sent to the cluster again
    assert "2 unchanged, not graded again" in second, second
