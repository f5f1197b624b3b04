"""Ending what a grading process started: adopt orphans, then kill every descendant (Linux; psutil).

Used by the local runner's worker processes (``helpers.grading.autograde``) and by the fresh process
each Dask job runs in (``helpers.grading.cluster``).
"""

from __future__ import annotations

import sys

__all__ = ["become_subreaper", "end_descendants"]


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``); False if it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def end_descendants() -> int:
    """Kill every process still running below this one (orphans included, once a subreaper); return how many."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return 0
    killed = 0
    for _ in range(5):  # a process may fork while we kill: look again until none is left
        children = psutil.Process().children(recursive=True)
        if not children:
            break
        for child in children:
            try:
                child.kill()
                killed += 1
            except psutil.Error:
                pass
        psutil.wait_procs(children, timeout=5)
    return killed
