"""Run a student's kernel in a sandbox: no network, no view of the course, an unprivileged identity (Linux).

A grading kernel runs the student's code. Without a sandbox it runs as the grader's user: it can
read ``solutions/`` (the hidden tests), list and read other students' submissions, open the
gradebook with ``sqlite3`` and write any grade into it, and reach the network. With the sandbox,
the kernel and everything it starts:

- has its own **network namespace** with only the loopback interface, up: it can serve and
  connect on ``127.0.0.1`` inside (notebooks 12 and 13 do), and reach nothing outside, not even a
  server on the grader's own ``127.0.0.1``;
- has its own **mount namespace** where each hidden directory is covered by an empty ``tmpfs``:
  the course root (``solutions/``, ``notebooks/``, ``submitted/``, ``autograded/``, ``feedback/``,
  ``.git``, ``tests/``...), the gradebook's folder, the grader's home, ``/tmp``, ``/var/tmp`` and
  ``/dev/shm`` (the kernel gets fresh, private ones). Only what the kernel needs is put back, at its
  own path: its working directory (the private folder the grader runs the notebook in, read-write),
  the folder of its IPC sockets and connection file (read-write), Python and the venv, and the
  ``helpers`` package (read-only);
- runs as an **unprivileged identity**: when the grader is root, a uid/gid of its own per notebook
  (``2000000000 +`` a random number, no supplementary groups, ``no_new_privs``), set after the
  namespaces and mounts, so it can neither undo the mounts nor signal or trace another student's
  kernel; when the grader is an ordinary user, a user namespace maps the grader's uid to itself and
  every capability is dropped when the kernel's program starts;
- gets an environment without the grader's secrets (``ASYNCIO_COURSE_GRADEBOOK``, anything naming
  the gradebook) and ``HOME=/tmp``.

Kernels talk to the grader over unix sockets in a private folder: a path-based unix socket works
across network namespaces, so the grader still reaches its kernel.

What the machine needs: Linux with ``unshare(2)`` and ``mount(2)`` allowed for the grader (root, or
unprivileged user namespaces for an ordinary user: most distributions allow them, some restrict them
(Ubuntu 24.04's AppArmor setting ``kernel.apparmor_restrict_unprivileged_userns``); a Docker container
with default settings refuses them: run the grader with ``--privileged``, or ``--cap-add SYS_ADMIN``
with the seccomp and AppArmor profiles relaxed). Nothing to install: the namespaces are made with
``ctypes`` in the kernel's ``preexec_fn`` (the same calls as util-linux's ``unshare``).
``python -m helpers.grading.sandbox`` (or :func:`probe`) says what the machine provides, in about 40 ms::

    >>> from helpers.grading.sandbox import probe
    >>> probe()                                        # doctest: +SKIP
    Support(mode='root', reason='')

``BoundedExecute.sandbox`` (``c.BoundedExecute.sandbox`` in ``nbgrader_config.py``): ``"auto"`` (the
default for grading) uses it where the machine can and logs one warning where it cannot;
``"on"`` fails grading if unavailable; ``"off"`` never uses it (Validate, on the learner's machine).
World-readable files outside the hidden folders stay readable: keep other copies of the course
(e.g. a second checkout) in folders only the instructor can read, or add them to
``c.BoundedExecute.sandbox_hide``. The kernel still sees the machine's processes in ``/proc`` (their
command lines, not their environments or files, which belong to other uids).

Cost: about 6 ms of wall time and 2 ms of CPU per kernel start (two namespaces, a few mounts),
lost in the noise of a kernel's own start (about 0.5 s of CPU).
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import fcntl
import os
import random
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["Plan", "Support", "probe", "make_plan", "preexec", "clean_env", "SECRET_VARIABLES"]

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SIOCSIFFLAGS = 0x8914
IFF_UP, IFF_LOOPBACK, IFF_RUNNING = 0x1, 0x8, 0x40

#: Variables never passed to a sandboxed kernel (besides any whose value names the gradebook).
SECRET_VARIABLES = ("ASYNCIO_COURSE_GRADEBOOK",)
#: First uid (and gid) of the identities given to sandboxed kernels when the grader is root.
UID_BASE = 2_000_000_000
#: Size of the kernel's private ``/tmp``, ``/var/tmp`` and ``/dev/shm``.
TMP_SIZE = "256m"

_libc: Any = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one sandboxed kernel sees (all paths absolute and resolved).

    Attributes:
        hide: folders covered by an empty tmpfs (``/tmp`` and the like get a world-writable one).
        keep_rw: paths under a hidden folder put back read-write (working dir, IPC folder).
        keep_ro: paths under a hidden folder put back read-only (Python, the venv, ``helpers``).
        cwd: the kernel's working directory (entered again once the mounts are made).
        own: files and folders given to the kernel's identity before it starts (root mode).
        uid, gid: the kernel's identity when the grader is root.
        userns: use a user namespace (the grader is not root, or root may not unshare).
    """

    hide: tuple[str, ...]
    keep_rw: tuple[str, ...] = ()
    keep_ro: tuple[str, ...] = ()
    cwd: str | None = None
    own: tuple[str, ...] = ()
    uid: int = 65534
    gid: int = 65534
    userns: bool = False


@dataclasses.dataclass(frozen=True)
class Support:
    """What :func:`probe` found: ``mode`` is ``"root"``, ``"userns"`` or ``""`` (no sandbox: ``reason`` says why)."""

    mode: str
    reason: str = ""

    @property
    def available(self) -> bool:
        return bool(self.mode)

    def describe(self) -> str:
        """One paragraph for the instructor."""
        if self.mode == "root":
            return "sandbox: available (root: network and mount namespaces, kernels run as their own unprivileged uid)"
        if self.mode == "userns":
            return "sandbox: available (user, network and mount namespaces; kernels keep no capability)"
        return f"sandbox: NOT available ({self.reason}). {CONSEQUENCE}"


CONSEQUENCE = (
    "Student code runs with the grader's rights: it can read the gradebook, solutions/ with the hidden tests "
    "and other students' submissions, write its own grade, and reach the network."
)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


def new_identity() -> tuple[int, int]:
    """A fresh uid/gid for one notebook's kernels (the grader is root)."""
    n = UID_BASE + random.randrange(1_000_000)
    return n, n


def make_plan(
    *,
    cwd: str | None,
    hide: Iterable[str | os.PathLike[str]],
    keep_rw: Iterable[str | os.PathLike[str]] = (),
    keep_ro: Iterable[str | os.PathLike[str]] = (),
    own: Iterable[str | os.PathLike[str]] = (),
    identity: tuple[int, int] | None = None,
    userns: bool | None = None,
) -> Plan:
    """A :class:`Plan` that hides ``hide`` (plus the homes, ``/tmp``, ``/var/tmp``, ``/dev/shm``) and keeps
    Python, the venv, the ``helpers`` package and ``cwd`` visible.

    ``/`` and folders that hold the running Python are never hidden whole: their needed parts are put back.
    """
    import helpers

    hidden = {_real(p) for p in hide if p}
    home = os.path.expanduser("~")
    hidden |= {_real(home), "/root", "/tmp", "/var/tmp", "/dev/shm"}
    hidden = {h for h in hidden if h != "/" and os.path.isdir(h)}
    ro = {_real(p) for p in keep_ro} | {
        _real(sys.prefix),
        _real(sys.base_prefix),
        _real(sys.exec_prefix),
        os.path.dirname(_real(sys.executable)),
        _real(os.path.dirname(helpers.__file__)),
    }
    rw = {_real(p) for p in keep_rw}
    if cwd:
        rw.add(_real(cwd))
    # only what lies under a hidden folder needs putting back
    ro = {p for p in ro if os.path.exists(p) and any(_within(p, h) for h in hidden)}
    rw = {p for p in rw if os.path.exists(p) and any(_within(p, h) for h in hidden)}
    ro -= rw
    if userns is None:
        userns = os.geteuid() != 0
    uid, gid = identity or (new_identity() if os.geteuid() == 0 else (os.getuid(), os.getgid()))
    return Plan(
        hide=tuple(sorted(hidden)),
        keep_rw=tuple(sorted(rw)),
        keep_ro=tuple(sorted(ro)),
        cwd=_real(cwd) if cwd else None,
        own=tuple(_real(p) for p in own),
        uid=uid,
        gid=gid,
        userns=userns,
    )


def clean_env(env: Mapping[str, str], secrets: Iterable[str] = (), home: bool = True) -> dict[str, str]:
    """``env`` without the grader's secrets: :data:`SECRET_VARIABLES` and every variable whose value contains
    one of ``secrets`` (e.g. the gradebook's path). With ``home``, ``HOME`` and ``TMPDIR`` point to the
    sandbox's own ``/tmp`` and ``USER`` is ``student``."""
    needles = [s for s in secrets if s]
    out = {k: v for k, v in env.items() if k not in SECRET_VARIABLES and not any(needle in v for needle in needles)}
    if home:
        out["HOME"] = out["TMPDIR"] = "/tmp"
        out["USER"] = out["LOGNAME"] = "student"
    return out


class SandboxError(OSError):
    """The sandbox could not be set up (raised in the child, reported by :func:`probe`)."""


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise SandboxError(err, f"{what}: {os.strerror(err)}")


def preexec(plan: Plan, then: Callable[[], None] | None = None, report_fd: int | None = None) -> Callable[[], None]:
    """The ``preexec_fn`` that puts a child process into ``plan``'s sandbox (then calls ``then``).

    Everything it needs is loaded here, before the fork; in the child it only makes system calls.
    If ``report_fd`` is given, a failure is written there in one line before the child gives up.
    """
    libc = _lib()

    def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
        _check(libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")

    def write(path: str, text: str) -> None:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)

    def apply() -> None:
        step = "start"
        try:
            root = os.geteuid() == 0
            step = "give the working folders to the kernel's identity"
            if root:
                for path in plan.own:
                    if os.path.exists(path):
                        os.chown(path, plan.uid, plan.gid)
            kept = [(p, False) for p in plan.keep_ro] + [(p, True) for p in plan.keep_rw]
            kept.sort(key=lambda item: len(item[0]))
            if plan.userns:
                uid, gid = os.getuid(), os.getgid()
                step = "unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)"
                _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET), step)
                write("/proc/self/setgroups", "deny")
                write("/proc/self/uid_map", f"{uid} {uid} 1")
                write("/proc/self/gid_map", f"{gid} {gid} 1")
            else:
                step = "unshare(CLONE_NEWNS | CLONE_NEWNET)"
                _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET), step)
            step = "make the mounts private"
            mount(None, "/", None, MS_REC | MS_PRIVATE)
            step = "open the folders to keep"  # in the new mount namespace: a bind mount's source must be there
            fds = {p: os.open(p, os.O_PATH | os.O_CLOEXEC) for p, _ in kept}
            step = "hide folders"
            for folder in plan.hide:
                if any(_within(folder, h) and folder != h for h in plan.hide):
                    continue  # already under another hidden folder
                shared = folder in ("/tmp", "/var/tmp", "/dev/shm")
                options = f"mode={'1777' if shared else '0755'},size={TMP_SIZE if shared else '1m'}"
                mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
            step = "put back the folders the kernel needs"
            for path, writable in kept:
                if os.path.isdir(f"/proc/self/fd/{fds[path]}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    if not os.path.exists(path):
                        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
                mount(f"/proc/self/fd/{fds[path]}", path, None, MS_BIND | MS_REC)
                if not writable:
                    mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
                os.close(fds[path])
            step = "bring up the loopback interface"
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                ifreq = struct.pack("16sH14x", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING)
                fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, ifreq)
            if not plan.userns:
                step = "drop to the kernel's identity"
                os.setgroups([])
                os.setgid(plan.gid)
                os.setuid(plan.uid)
            step = "enter the working folder"
            os.chdir(plan.cwd or "/tmp")
            step = "set no_new_privs"
            _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), step)
            if then is not None:
                step = "apply the other limits"
                then()
        except BaseException as exc:
            if report_fd is not None:
                try:
                    os.write(report_fd, f"{step}: {exc}".encode()[:500])
                except OSError:
                    pass
            raise

    return apply


def run(
    args: Sequence[str], plan: Plan, *, env: Mapping[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(args)`` inside ``plan``'s sandbox (text mode).

    Raises :class:`SandboxError` saying which step failed if the sandbox could not be set up.
    """
    read_fd, write_fd = os.pipe()
    try:
        try:
            return subprocess.run(
                args,
                preexec_fn=preexec(plan, report_fd=write_fd),
                env=dict(env) if env is not None else None,
                cwd=plan.cwd,
                text=True,
                check=False,
                **kwargs,
            )
        except subprocess.SubprocessError as exc:
            os.close(write_fd)
            write_fd = -1
            with os.fdopen(read_fd, "rb") as f:
                read_fd = -1
                why = f.read().decode(errors="replace")
            raise SandboxError(errno.EPERM, why or str(exc)) from None
    finally:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)


_SUPPORT: Support | None = None
#: Set (to the probe's answer) once the instructor was told: processes started later neither probe nor warn again.
ANNOUNCED = "ASYNCIO_COURSE_SANDBOX"


def probe(refresh: bool = False) -> Support:
    """What this machine can provide, found by starting ``/bin/true`` in a sandbox (a few ms; cached).

    ``Support(mode="root")`` when the grader is root and may unshare (kernels get their own uid),
    ``Support(mode="userns")`` with user namespaces, ``Support(mode="", reason=...)`` otherwise.
    """
    global _SUPPORT
    if _SUPPORT is not None and not refresh:
        return _SUPPORT
    if os.environ.get(ANNOUNCED) and not refresh:
        mode, _, reason = os.environ[ANNOUNCED].partition(":")
        _SUPPORT = Support("" if mode == "none" else mode, reason)
        return _SUPPORT
    if not sys.platform.startswith("linux"):
        _SUPPORT = Support("", f"the sandbox needs Linux namespaces, this is {sys.platform}")
        return _SUPPORT
    true = "/bin/true" if os.path.exists("/bin/true") else "/usr/bin/true"
    reasons = []
    for userns in [os.geteuid() != 0]:
        plan = make_plan(cwd=None, hide=(), userns=userns)
        try:
            proc = run([true], plan, capture_output=True, timeout=10)
        except (SandboxError, OSError, subprocess.SubprocessError) as exc:
            reasons.append(("root: " if not userns else "user namespace: ") + str(exc.args[-1] if exc.args else exc))
            continue
        if proc.returncode == 0:
            _SUPPORT = Support("userns" if userns else "root")
            return _SUPPORT
        reasons.append(f"a sandboxed program exited {proc.returncode}")
    _SUPPORT = Support("", "; ".join(reasons))
    return _SUPPORT


def announce(mode: str = "auto", log: Any = None) -> Support:
    """Probe once and, if the sandbox is wanted but missing, warn once (``mode="on"``: raise instead).

    Call it in the process that starts the graders (``helpers.grading.autograde``): the answer is
    left in the environment (:data:`ANNOUNCED`), so graders it starts neither probe nor warn again.
    """
    already = bool(os.environ.get(ANNOUNCED))
    support = probe()
    if mode == "off":
        return support
    if not support.available:
        if mode == "on":
            raise SandboxError(errno.EPERM, support.describe() + " (c.BoundedExecute.sandbox = 'on')")
        if not already:
            message = support.describe() + " Set c.BoundedExecute.sandbox = 'off' to grade without it and silence this."
            if log is not None:
                log.warning(message)
            else:
                print(f"WARNING: {message}", file=sys.stderr, flush=True)
    os.environ[ANNOUNCED] = f"{support.mode or 'none'}:{support.reason}"
    return support


def main() -> int:
    """``python -m helpers.grading.sandbox``: say what this machine provides; exit 1 without a sandbox."""
    support = probe()
    print(support.describe())
    return 0 if support.available else 1


if __name__ == "__main__":
    sys.exit(main())
