"""Preloaded by the fork server of :mod:`helpers.grading.cluster`: spare every job's process an import of ``__main__``.

A process that multiprocessing starts from a fork server first imports its parent's main module again (the
``dask`` command-line script on a worker: a second per job), unless the server's own ``__main__`` already
looks like it. ``helpers.grading.cluster`` passes what the parent's main module looks like in
``$_HELPERS_GRADING_MAIN`` (JSON), and this module, imported once by the server, makes the server's ``__main__``
look the same. Jobs need nothing from ``__main__``: their function and job travel as cloudpickle bytes.
"""

import importlib.machinery
import json
import os
import sys
import types

_looks = json.loads(os.environ.pop("_HELPERS_GRADING_MAIN", "") or "{}")
if _looks:
    _main = types.ModuleType("__main__")
    if _looks.get("init_main_from_name"):
        _main.__spec__ = importlib.machinery.ModuleSpec(_looks["init_main_from_name"], None)
    if _looks.get("init_main_from_path"):
        _main.__file__ = _looks["init_main_from_path"]
    sys.modules["__main__"] = _main
