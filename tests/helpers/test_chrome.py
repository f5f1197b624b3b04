"""Tests for helpers._chrome: the Chrome trace-event export."""

import json
from collections import Counter

import timeline_samples as samples

from helpers._chrome import JOBS_PID, LOOP_TID, PID, to_chrome_trace, trace_events, write_chrome_trace

VALID_PHASES = {"M", "X", "i", "s", "f"}


def _thread_names(trace: dict) -> dict[int, str]:
    return {e["tid"]: e["args"]["name"] for e in trace["traceEvents"] if e["name"] == "thread_name"}


def test_shape_of_the_trace():
    trace = to_chrome_trace(samples.three_workers())
    assert trace["displayTimeUnit"] == "ms"
    assert trace["otherData"]["clock"] == "virtual"
    events = trace["traceEvents"]
    assert {e["ph"] for e in events} <= VALID_PHASES
    assert all(e["pid"] == PID for e in events)
    assert all(e["dur"] >= 0 for e in events if e["ph"] == "X")


def test_a_track_per_task_in_start_order_and_one_for_the_loop():
    trace = to_chrome_trace(samples.outcomes())
    assert _thread_names(trace) == {
        LOOP_TID: "loop",
        1: "main",
        2: "sleeper",
        3: "failer",
        4: "waiter",
        5: "never-ran",
    }
    metadata = [e for e in trace["traceEvents"] if e["ph"] == "M"]
    assert trace["traceEvents"][: len(metadata)] == metadata, "metadata comes first"


def test_steps_and_waits_are_told_apart():
    events = to_chrome_trace(samples.three_workers())["traceEvents"]
    counts = Counter((e["ph"], e.get("cat")) for e in events)
    assert counts[("X", "step")] == 9
    assert counts[("X", "wait")] == 9 - 4  # every step but each task's first ends a wait
    assert counts[("X", "idle")] == 3
    assert counts[("X", "callback")] == 3
    worker_1 = [e for e in events if e["ph"] == "X" and e["tid"] == 2]
    assert [(e["name"], e["ts"], e["dur"]) for e in worker_1] == [
        ("step", 0.0, 0.0),
        ("await sleep(0.5)", 0.0, 500000.0),
        ("step", 500000.0, 0.0),
        ("await sleep(0.5)", 500000.0, 500000.0),
        ("step", 1000000.0, 0.0),
    ]
    assert [e["args"]["waits_on"] for e in worker_1 if e["cat"] == "step"] == ["sleep(0.5)", "sleep(0.5)", None]


def test_blocking_steps_are_named_so():
    events = to_chrome_trace(samples.blocking())["traceEvents"]
    blocking = [e for e in events if e["name"] == "blocking step"]
    assert len(blocking) == 1
    assert blocking[0]["cat"] == "step,blocking"
    assert blocking[0]["ts"] == 500.0 and blocking[0]["dur"] == 300100.0


def test_creation_outcome_and_pending_wait():
    events = to_chrome_trace(samples.outcomes())["traceEvents"]
    names = _thread_names({"traceEvents": events})
    tid = {name: t for t, name in names.items()}
    instants = {(names[e["tid"]], e["name"]) for e in events if e["ph"] == "i"}
    assert ("failer", "raised") in instants and ("never-ran", "cancelled") in instants
    assert ("waiter", "created") in instants
    flows = [e for e in events if e["ph"] in "sf"]
    # an arrow from main to every child that ran (never-ran has no step to point at)
    assert len(flows) == 2 * 3
    assert {e["tid"] for e in flows if e["ph"] == "s"} == {tid["main"]}
    pending = [e for e in events if e.get("args", {}).get("pending")]
    assert [(names[e["tid"]], e["name"], e["dur"]) for e in pending] == [("waiter", "await Event.wait", 1e6)]


def test_written_json_round_trips(tmp_path):
    timeline = samples.outcomes()
    path = tmp_path / "trace.json"
    trace = to_chrome_trace(timeline, path)
    text = path.read_text(encoding="utf-8")
    assert '", "' not in text and '": ' not in text, "the file should be compact JSON"
    assert json.loads(text) == json.loads(json.dumps(trace))
    streamed = tmp_path / "streamed.json"
    assert write_chrome_trace(timeline, streamed) == len(trace["traceEvents"])
    assert streamed.read_bytes() == path.read_bytes()


def test_empty_and_instant_timelines(tmp_path):
    empty = to_chrome_trace(samples.empty(), tmp_path / "empty.json")
    assert {e["ph"] for e in empty["traceEvents"]} == {"M"}
    assert json.loads((tmp_path / "empty.json").read_text())["traceEvents"] == empty["traceEvents"]
    instant = to_chrome_trace(samples.instant())
    assert all(e.get("ts", 0.0) == 0.0 for e in instant["traceEvents"])


def test_100k_steps_stream_without_building_a_list(tmp_path):
    timeline = samples.huge(100_000, 1_000)
    count = sum(1 for _ in trace_events(timeline))
    path = tmp_path / "big.json"
    assert write_chrome_trace(timeline, path) == count
    trace = json.loads(path.read_text())
    assert len(trace["traceEvents"]) == count
    assert sum(1 for e in trace["traceEvents"] if e.get("cat") == "step") == 100_000


def test_jobs_get_tracks_in_a_process_of_their_own():
    events = to_chrome_trace(samples.with_jobs())["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["pid"] == JOBS_PID and e["name"] == "thread_name"}
    assert names == {1: "thread asyncio_0", 2: "thread asyncio_0", 3: "pid 4242"}
    jobs = [(e["tid"], e["name"], e["ts"], e["dur"]) for e in events if e.get("cat", "").startswith("job")]
    assert jobs == [
        (1, "to_thread(fetch)", 0.0, 1e6),
        (2, "waiting for a worker", 0.0, 0.5e6),
        (2, "run_in_executor(parse)", 0.5e6, 1e6),
        (3, "subprocess(python -c)", 1e6, 1e6),
    ]
    first = next(e for e in events if e.get("name") == "to_thread(fetch)")
    assert first["args"] == {"outcome": "returned", "detail": "'page'", "awaited_by": "worker"}


def test_no_job_process_without_jobs():
    assert all(e["pid"] == PID for e in to_chrome_trace(samples.three_workers())["traceEvents"])
