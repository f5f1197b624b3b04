"""Run by Python at start-up in a child process of a program traced on virtual time.

The parent's :class:`helpers.VirtualTimeLoop` started this child with ``HELPERS_CLOCK_FD``
naming one end of a socket pair. Here ``time.sleep(x)`` becomes a request on it: the
parent answers when its virtual clock has moved ``x`` on, so a child that sleeps one
second takes exactly one virtual second, as a worker thread does. Then the child's
environment is put back as it was, and the ``sitecustomize`` this one shadows, if any,
runs as it would have.
"""

import os
import sys


def _install_virtual_sleep(fd: int) -> None:
    import socket
    import threading
    import time

    channel = socket.socket(fileno=fd)
    lock = threading.Lock()  # one request at a time: each answer belongs to the sleep that asked
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if not isinstance(seconds, int | float):
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer or float")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        with lock:
            try:
                channel.sendall(f"{float(seconds)!r}\n".encode())
                if channel.recv(1):
                    return
            except OSError:
                pass
        real_sleep(seconds)  # the parent's loop is gone: sleep for real

    sleep.__name__ = sleep.__qualname__ = "sleep"
    time.sleep = sleep
    channel.sendall(b"ready\n")  # the parent holds its clock while a child starts up


def _restore_environment() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    original = os.environ.pop("HELPERS_ORIGINAL_PYTHONPATH", None)
    if original is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = original
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]


def _run_shadowed_sitecustomize() -> None:
    this = sys.modules.pop("sitecustomize")
    try:
        import sitecustomize  # noqa: F401 - the next one on sys.path, which ours hid
    except ImportError:
        sys.modules["sitecustomize"] = this  # the import system expects to find this module there


_fd = os.environ.pop("HELPERS_CLOCK_FD", None)
if _fd is not None:
    try:
        _install_virtual_sleep(int(_fd))
    except (OSError, ValueError):
        pass  # no channel (a grandchild, or the fd was closed): time.sleep stays real
_restore_environment()
_run_shadowed_sitecustomize()
