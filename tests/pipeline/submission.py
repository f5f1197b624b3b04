"""Build a student submission from the student notebook and a small fixture file.

A fixture ``tests/submissions/<assignment>/<name>.py`` describes one plausible student:
it starts from the released notebook (``notebooks/``), fills every solution cell with the
instructor's solution, then applies its own sections::

    # Sequential: awaits one download after the other instead of running them together.
    # expect ex1_1_runs_concurrently 0
    # %% replace ex1_1_download_both
    async def download_both():
        ...
    # %% after ex1_1_download_both
    await asyncio.Event().wait()

- ``# expect GRADE_ID POINTS``: the score that graded cell must get (every other graded
  cell must get full marks);
- ``# alternative GRADE_ID [GRADE_ID ...]``: this student solves those graded cells another
  valid way (another API, another style) and must get full marks everywhere; a fixture is
  either an alternative or a wrong answer, never both;
- ``# %% replace GRADE_ID``: the body that replaces that solution cell;
- ``# %% after GRADE_ID`` / ``# %% append``: a new code cell the student added there.

Two built-in students need no file: ``untouched`` (the released notebook as is) and
``solution`` (every solution cell filled in). Run as a script to write one out::

    python tests/pipeline/submission.py 01-event-loop tests/submissions/01-event-loop/sequential.py out.ipynb
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "submissions"
_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclasses.dataclass
class Fixture:
    """One plausible student, read from a fixture file."""

    name: str
    about: str
    expect: dict[str, float]
    alternative_for: list[str]
    sections: list[tuple[str, str, str]]  # (action, grade id or "", source)

    @classmethod
    def read(cls, path: Path) -> Fixture:
        about: list[str] = []
        expect: dict[str, float] = {}
        alternative_for: list[str] = []
        sections: list[tuple[str, str, str]] = []
        current: list[str] | None = None
        for line in path.read_text().splitlines():
            if line.startswith("# %%"):
                words = line[4:].split()
                if not words or words[0] not in ("replace", "after", "append"):
                    raise ValueError(f"{path}: unknown section {line!r}")
                current = []
                sections.append((words[0], words[1] if len(words) > 1 else "", current))  # type: ignore[arg-type]
            elif current is not None:
                current.append(line)
            elif line.startswith("# expect "):
                grade_id, points = line.split()[2:4]
                expect[grade_id] = float(points)
            elif line.startswith("# alternative "):
                alternative_for.extend(line.split()[2:])
            elif line.startswith("#"):
                about.append(line.lstrip("# "))
        if alternative_for and expect:
            raise ValueError(f"{path}: an alternative must get full marks: drop its '# expect' lines")
        done = [(action, gid, "\n".join(body).strip("\n")) for action, gid, body in sections]
        return cls(path.stem, " ".join(about).strip(), expect, alternative_for, done)


def strip_markers(source: str) -> str:
    """A solution cell's source as a student would have typed it: without nbgrader's markers."""
    return "\n".join(line for line in source.splitlines() if not _MARKER.match(line))


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def build(assignment: str, fixture: Fixture | None, *, root: Path = ROOT) -> nbformat.NotebookNode:
    """The submission notebook for ``fixture`` (``None``: the full solution)."""
    student = nbformat.read(root / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    source = nbformat.read(root / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = {_grade_id(c): c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in student.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = strip_markers(solutions[_grade_id(cell)])
    for action, grade_id, body in fixture.sections if fixture else []:
        if action == "append":
            student.cells.append(nbformat.v4.new_code_cell(body))
            continue
        index = next((i for i, c in enumerate(student.cells) if _grade_id(c) == grade_id), None)
        if index is None:
            raise KeyError(f"fixture {fixture.name}: no cell with grade id {grade_id!r} in {assignment}")
        if action == "replace":
            if not student.cells[index].metadata["nbgrader"].get("solution"):
                raise ValueError(f"fixture {fixture.name}: {grade_id} is not a solution cell")
            student.cells[index].source = body
        else:
            student.cells.insert(index + 1, nbformat.v4.new_code_cell(body))
    return student


def fixtures(assignment: str) -> list[Fixture]:
    """Every fixture of an assignment, sorted by name."""
    return [Fixture.read(p) for p in sorted((FIXTURES / assignment).glob("*.py"))]


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[-1])
    name, fixture_path, out = sys.argv[1:]
    nbformat.write(build(name, Fixture.read(Path(fixture_path))), out)
