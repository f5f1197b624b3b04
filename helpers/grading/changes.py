"""Regrade only what changed: a fingerprint per submission, remembered in a small JSON file next to the gradebook.

A submission's fingerprint is a SHA-256 over everything its grade depends on:

- the files of ``submitted/STUDENT/ASSIGNMENT/`` (names and bytes; ``timestamp.txt`` too, since a new
  submission time can change a late penalty);
- the assignment's source folder (``solutions/ASSIGNMENT/`` in this course: the notebook with its hidden tests);
- the grading code: every source file of the ``helpers`` package, and the versions of Python, nbgrader,
  nbclient and ipykernel;
- the grading configuration: ``nbgrader_config.py``, the files of the kernels' ``kernel-config/`` folder if
  the course has one, and ``extra`` (the options of the run, e.g. its limits).

The coordinator (the one gradebook writer) uses it like this::

    changes = Changes(root, extra={"timeout": 600})
    todo = [s for s in students if changes.needs_grading(assignment, s, force=force)]
    fingerprints = {s: changes.fingerprint(assignment, s) for s in todo}   # when the job is prepared
    ...                                                                     # grade, record in the gradebook
    changes.remember(assignment, student, fingerprints[student])            # graded and recorded
    changes.forget(assignment, student)                                     # its grading failed

Take the fingerprint when the job is prepared, not after grading: a student who resubmits while grading runs
is then regraded next time. A submission also needs grading when the gradebook file or its ``autograded/``
copy is gone (a fresh gradebook, a removed grade), whatever the JSON file says. The JSON file is
``GRADEBOOK.fingerprints.json`` beside an SQLite gradebook (``gradebook.db.fingerprints.json``), else in the
course root; it is replaced atomically on each change. Delete it to regrade everything.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["Changes", "needs_grading", "remember"]

_SUFFIX = ".fingerprints.json"


def _hash_folder(digest: Any, folder: Path, label: str, *, recursive: bool = True) -> None:
    """Feed every file below ``folder`` (relative name and bytes, in a fixed order) into ``digest``."""
    digest.update(f"\0{label}\0".encode())
    if not folder.is_dir():
        digest.update(b"\0missing\0")
        return
    for path in sorted(folder.rglob("*") if recursive else folder.glob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part in (".ipynb_checkpoints", "__pycache__") for part in relative.parts):
            continue
        data = path.read_bytes()
        digest.update(f"\0{relative.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


@functools.lru_cache(maxsize=1)
def grading_code_version() -> str:
    """A hash of the grading code: the ``helpers`` package's source files and the versions it runs with."""
    from importlib import metadata

    import helpers

    digest = hashlib.sha256()
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    for name in ("nbgrader", "nbclient", "nbconvert", "ipykernel"):
        try:
            digest.update(f"\0{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{name} -".encode())
    package = Path(helpers.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".c", ".json", ".cfg") and "__pycache__" not in path.parts:
            digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Changes:
    """The fingerprints of one course's graded submissions.

    Args:
        root: the course root (with ``nbgrader_config.py``).
        extra: options of the grading run that change grades (limits...): part of every fingerprint.
        store: the JSON file (default: beside the gradebook, see the module docstring).

    Example::

        changes = Changes("/srv/course")
        if changes.needs_grading("03-tasks", "alice"):
            fingerprint = changes.fingerprint("03-tasks", "alice")
            ...  # grade and record alice
            changes.remember("03-tasks", "alice", fingerprint)
    """

    def __init__(
        self,
        root: str | os.PathLike[str] = ".",
        *,
        extra: Mapping[str, Any] | None = None,
        store: str | os.PathLike[str] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.extra = json.dumps(dict(extra or {}), sort_keys=True, default=str)
        directory = self._directories()
        self.submitted = self.root / directory["submitted_directory"]
        self.source = self.root / directory["source_directory"]
        self.autograded = self.root / directory["autograded_directory"]
        self.gradebook = directory["gradebook"]
        if store is not None:
            self.path = Path(store)
        elif self.gradebook is not None:
            self.path = self.gradebook.with_name(self.gradebook.name + _SUFFIX)
        else:
            self.path = self.root / ("gradebook" + _SUFFIX)
        config = self.root / "nbgrader_config.py"
        self._config_bytes = config.read_bytes() if config.exists() else b""
        self._records: dict[str, dict[str, dict[str, Any]]] | None = None

    def _directories(self) -> dict[str, Any]:
        """The course folders and the SQLite gradebook file (``None`` if the gradebook is not a file) of the config."""
        names = {
            "submitted_directory": "submitted",
            "source_directory": "source",
            "autograded_directory": "autograded",
        }
        db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        if (self.root / "nbgrader_config.py").exists():
            from traitlets.config.loader import PyFileConfigLoader

            course = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config().CourseDirectory
            names = {name: str(course.get(name, default)) for name, default in names.items()}
            db_url = str(course.get("db_url", db_url))
        match = re.fullmatch(r"sqlite:///([^?]+)(\?.*)?", db_url)
        gradebook = (self.root / match[1]).resolve() if match else None
        return {**names, "gradebook": gradebook}

    def fingerprint(self, assignment: str, student: str) -> str:
        """The fingerprint of ``student``'s current submission of ``assignment`` (see the module docstring)."""
        digest = hashlib.sha256()
        _hash_folder(digest, self.submitted / student / assignment, "submission")
        _hash_folder(digest, self.source / assignment, "source")
        digest.update(b"\0code\0" + grading_code_version().encode())
        digest.update(b"\0config\0" + self._config_bytes)
        # its own files, not what installing it leaves there (build/, *.egg-info/)
        _hash_folder(digest, self.root / "kernel-config", "kernel-config", recursive=False)
        digest.update(b"\0extra\0" + self.extra.encode())
        return digest.hexdigest()

    def _load(self) -> dict[str, dict[str, dict[str, Any]]]:
        if self._records is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._records = data["assignments"] if isinstance(data, dict) else {}
            except (OSError, ValueError, KeyError):  # none yet, or unreadable: everything needs grading
                self._records = {}
        return self._records

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "assignments": self._load()}, indent=1, sort_keys=True)
        handle, temporary = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def recall(self, assignment: str, student: str) -> dict[str, Any] | None:
        """What :meth:`remember` stored for this submission (fingerprint, time, info), or ``None``."""
        return self._load().get(assignment, {}).get(student)

    def needs_grading(self, assignment: str, student: str, *, force: bool = False) -> bool:
        """Whether to grade ``student``'s ``assignment``: forced, never graded, or changed since its last grade."""
        if force:
            return True
        record = self.recall(assignment, student)
        if record is None:
            return True
        if self.gradebook is not None and not self.gradebook.exists():
            return True
        if not (self.autograded / student / assignment).is_dir():
            return True
        return record.get("fingerprint") != self.fingerprint(assignment, student)

    def remember(self, assignment: str, student: str, fingerprint: str | None = None, **info: Any) -> None:
        """Note that ``student``'s submission with ``fingerprint`` (default: as it is now) is graded and recorded.

        ``info`` (JSON values, e.g. ``flags=[...]``) is kept with it, for a report on a skipped student.
        """
        record = {
            "fingerprint": fingerprint or self.fingerprint(assignment, student),
            "recorded": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            **info,
        }
        self._load().setdefault(assignment, {})[student] = record
        self._save()

    def forget(self, assignment: str, student: str) -> None:
        """Drop what is remembered of ``student``'s ``assignment`` (its grading failed): it is graded next time."""
        records = self._load()
        if records.get(assignment, {}).pop(student, None) is not None:
            self._save()


def needs_grading(
    root: str | os.PathLike[str],
    assignment: str,
    student: str,
    *,
    force: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> bool:
    """:meth:`Changes.needs_grading` in one call (reads the config each time: use :class:`Changes` in a loop)."""
    return Changes(root, extra=extra).needs_grading(assignment, student, force=force)


def remember(
    root: str | os.PathLike[str],
    assignment: str,
    student: str,
    fingerprint: str | None = None,
    *,
    extra: Mapping[str, Any] | None = None,
    **info: Any,
) -> None:
    """:meth:`Changes.remember` in one call."""
    Changes(root, extra=extra).remember(assignment, student, fingerprint, **info)
