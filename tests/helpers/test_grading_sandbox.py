"""Unit tests of helpers.grading.sandbox: the probe, the plan, the environment, and a process inside the sandbox."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from helpers.grading import sandbox

SUPPORT = sandbox.probe()
needs_sandbox = pytest.mark.skipif(
    not SUPPORT.available, reason=f"this machine cannot sandbox a process: {SUPPORT.reason}"
)

#: What a hostile process tries inside the sandbox; prints one JSON line.
ATTEMPTS = """
import ctypes, json, os, resource, socket, sys
course, port = sys.argv[1], int(sys.argv[2])
found = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd()}
def attempt(name, fn):
    try:
        found[name] = fn()
    except Exception as exc:
        found[name] = f"refused: {type(exc).__name__}"
attempt("secret", lambda: open(os.path.join(course, "solutions", "secret.txt")).read())
attempt("course", lambda: sorted(os.listdir(course)))
attempt("autograded", lambda: sorted(os.listdir(os.path.join(course, "autograded"))))
attempt("write_cwd", lambda: open("made-here.txt", "w").write("x"))
attempt("tmp", lambda: sorted(os.listdir("/tmp")))
attempt("write_tmp", lambda: open("/tmp/scratch", "w").write("x"))
attempt("parent_of_cwd", lambda: sorted(os.listdir("..")))
attempt("host_server", lambda: socket.create_connection(("127.0.0.1", port), timeout=2).close() or "connected")
def loopback():
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname(), timeout=2) as client:
            client.sendall(b"ok")
            return server.accept()[0].recv(2).decode()
attempt("own_loopback", loopback)
libc = ctypes.CDLL(None, use_errno=True)
attempt("umount", lambda: libc.umount2(b"/tmp", 2) == 0 and "unmounted" or os.strerror(ctypes.get_errno()))
attempt("grader_environ", lambda: len(open("/proc/1/environ", "rb").read()))
found["memory_limit"] = resource.getrlimit(resource.RLIMIT_AS)[0]
found["env"] = {k: os.environ.get(k) for k in ("HOME", "ASYNCIO_COURSE_GRADEBOOK", "NOTE")}
print(json.dumps(found))
"""


def test_probe_says_what_the_machine_provides():
    assert SUPPORT.mode in ("root", "userns", "")
    assert SUPPORT.available == bool(SUPPORT.mode)
    if SUPPORT.available:
        assert "available" in SUPPORT.describe() and not SUPPORT.reason
    else:
        assert SUPPORT.reason and "can read the gradebook" in SUPPORT.describe()
    assert sandbox.probe() is SUPPORT  # cached


def test_missing_sandbox_warns_once_in_auto_and_fails_when_on(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "_SUPPORT", sandbox.Support("", "unshare(2) refused: Operation not permitted"))
    monkeypatch.delenv(sandbox.ANNOUNCED, raising=False)
    with pytest.raises(sandbox.SandboxError, match="NOT available.*Operation not permitted"):
        sandbox.announce("on")
    assert sandbox.announce("off").available is False and capsys.readouterr().err == ""
    sandbox.announce("auto")
    sandbox.announce("auto")
    err = capsys.readouterr().err
    assert err.count("WARNING") == 1, err
    assert "Operation not permitted" in err and "can read the gradebook" in err and "sandbox = 'off'" in err
    # a grader started later inherits the answer: no probe, no warning
    monkeypatch.setattr(sandbox, "_SUPPORT", None)
    assert sandbox.probe().reason == "unshare(2) refused: Operation not permitted"
    assert capsys.readouterr().err == ""


def test_probe_off_linux_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(sandbox, "_SUPPORT", None)  # restored when the test ends
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delenv(sandbox.ANNOUNCED, raising=False)
    support = sandbox.probe()
    assert not support.available and "Linux" in support.reason


def test_environment_loses_the_grader_secrets():
    env = {
        "ASYNCIO_COURSE_GRADEBOOK": "/srv/course/gradebook.db",
        "DB": "sqlite:////srv/course/gradebook.db?timeout=30",
        "PATH": "/usr/bin",
        "HOME": "/root",
    }
    clean = sandbox.clean_env(env, ["/srv/course/gradebook.db"])
    assert clean == {"PATH": "/usr/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "USER": "student", "LOGNAME": "student"}
    assert sandbox.clean_env(env, ["/srv/course/gradebook.db"], home=False) == {"PATH": "/usr/bin", "HOME": "/root"}


def test_plan_hides_the_course_and_puts_back_only_what_the_kernel_needs(tmp_path: Path):
    cwd = tmp_path / "autograded" / "alice" / "01-x"
    cwd.mkdir(parents=True)
    plan = sandbox.make_plan(cwd=str(cwd), hide=[tmp_path], own=[cwd], identity=(2_000_000_001, 2_000_000_001))
    assert str(tmp_path) in plan.hide and "/tmp" in plan.hide and os.path.realpath(Path.home()) in plan.hide
    assert plan.keep_rw == (str(cwd),) and plan.cwd == str(cwd) and plan.own == (str(cwd),)
    import helpers

    helpers_dir = os.path.dirname(os.path.realpath(helpers.__file__))
    for path in plan.keep_ro:
        assert any(path == p or p.startswith(path + "/") or path.startswith(p + "/") for p in plan.hide)
    wanted = {os.path.realpath(sys.prefix), helpers_dir}
    assert {p for p in wanted if any(p.startswith(h + "/") for h in plan.hide)} <= set(plan.keep_ro)
    assert "/" not in sandbox.make_plan(cwd=None, hide=["/"]).hide


@pytest.fixture
def host_server():
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


@needs_sandbox
def test_a_process_in_the_sandbox_sees_and_reaches_nothing_it_should_not(tmp_path: Path, host_server, monkeypatch):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / "secret.txt").write_text("hidden tests")
    (course / "autograded" / "bob" / "01-x").mkdir(parents=True)
    cwd = course / "autograded" / "alice" / "01-x"
    cwd.mkdir(parents=True)
    plan = sandbox.make_plan(cwd=str(cwd), hide=[course], own=[cwd])
    env = sandbox.clean_env({**os.environ, "ASYNCIO_COURSE_GRADEBOOK": "/x/gb.db", "NOTE": "kept"}, ["/x/gb.db"])

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31))

    read_fd, write_fd = os.pipe()
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", ATTEMPTS, str(course), str(host_server.getsockname()[1])],
        preexec_fn=sandbox.preexec(plan, then=limit, report_fd=write_fd),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    os.close(read_fd)
    os.close(write_fd)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    if SUPPORT.mode == "root":
        assert found["uid"] == plan.uid >= sandbox.UID_BASE and found["gid"] == plan.gid and found["groups"] == []
    assert found["cwd"] == str(cwd)
    assert found["secret"] == "refused: FileNotFoundError", found
    assert found["course"] == ["autograded"] and found["autograded"] == ["alice"], found
    assert found["parent_of_cwd"] == ["01-x"], found  # ".." leads into the empty cover, not the real folder
    assert found["write_cwd"] == 1 and (cwd / "made-here.txt").exists()
    assert found["write_tmp"] == 1 and not Path("/tmp/scratch").exists()
    # in /tmp, only the ways back to what is put back (the working folder, and this checkout with its venv when
    # it lives under /tmp), none of the host's other files
    put_back = [Path(os.path.realpath(cwd)), Path(os.path.realpath(sys.prefix)), Path(sandbox.__file__).resolve()]
    ways = sorted({p.relative_to("/tmp").parts[0] for p in put_back if p.is_relative_to("/tmp")})
    assert sorted(set(found["tmp"]) - {"scratch"}) == ways, found["tmp"]
    assert found["host_server"].startswith("refused"), found
    with pytest.raises(BlockingIOError):
        host_server.accept()
    assert found["own_loopback"] == "ok", found
    assert found["umount"] != "unmounted" and found["grader_environ"].startswith("refused"), found
    assert found["memory_limit"] == 2**31
    assert found["env"] == {"HOME": "/tmp", "ASYNCIO_COURSE_GRADEBOOK": None, "NOTE": "kept"}


@needs_sandbox
def test_a_step_that_fails_is_named(tmp_path: Path):
    plan = sandbox.Plan(hide=(str(tmp_path / "missing"),))
    with pytest.raises(sandbox.SandboxError, match="hide folders: .*mount .*missing"):
        sandbox.run(["/bin/true"], plan)


# ---------------------------------------------------------------- through BoundedExecute (one kernel each)

KERNEL_CELL = """\
import os
open("from-kernel.txt", "w").write("x")
print(os.getuid(), os.environ.get("ASYNCIO_COURSE_GRADEBOOK"), os.path.exists("%s"))
"""


def _execute(mode: str, course: Path, log: object = None) -> str:
    pytest.importorskip("nbgrader")
    import nbformat
    from traitlets.config import Config

    from helpers.grading.execute import BoundedExecute

    config = Config()
    config.BoundedExecute.sandbox = mode
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    cwd = course / "autograded" / "alice" / "01-x"
    cwd.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KERNEL_CELL % (course / "gradebook.db"))])
    execute = BoundedExecute(config=config)
    if log is not None:
        execute.log = log
    execute.preprocess(nb, {"metadata": {"path": str(cwd)}})
    return "".join(o.get("text", "") for o in nb.cells[0].outputs) or str(nb.cells[0].outputs)


@needs_sandbox
def test_bounded_execute_runs_the_kernel_in_the_sandbox(tmp_path: Path, monkeypatch):
    (tmp_path / "gradebook.db").write_text("")
    monkeypatch.setenv("ASYNCIO_COURSE_GRADEBOOK", str(tmp_path / "gradebook.db"))
    uid, variable, gradebook = _execute("on", tmp_path).split()
    assert variable == "None" and gradebook == "False"  # neither named nor visible
    if SUPPORT.mode == "root":
        assert int(uid) >= sandbox.UID_BASE
    cwd = tmp_path / "autograded" / "alice" / "01-x"
    # the working folder, and what the kernel wrote there, go back to their owner
    assert cwd.stat().st_uid == os.getuid() and (cwd / "from-kernel.txt").stat().st_uid == os.getuid()


def test_without_a_sandbox_auto_grades_and_warns_once_and_on_refuses(tmp_path: Path, monkeypatch, caplog):
    import logging

    monkeypatch.setattr(sandbox, "_SUPPORT", sandbox.Support("", "unshare(2) refused: Operation not permitted"))
    monkeypatch.delenv(sandbox.ANNOUNCED, raising=False)
    log = logging.getLogger("test-grading-sandbox")
    with caplog.at_level(logging.WARNING, logger=log.name):
        uid = _execute("auto", tmp_path, log).split()[0]
    assert uid == str(os.getuid())
    warnings = [r.getMessage() for r in caplog.records if "sandbox" in r.getMessage()]
    assert len(warnings) == 1 and "can read the gradebook" in warnings[0], warnings
    with pytest.raises(Exception, match="NOT available"):
        _execute("on", tmp_path)


@needs_sandbox
def test_a_kernel_whose_sandbox_fails_says_why(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(sandbox, "TMP_SIZE", "bogus")  # the kernel's /tmp cannot be mounted
    with pytest.raises(sandbox.SandboxError, match="sandbox could not be set up: hide folders: .*mount /"):
        _execute("on", tmp_path)
