"""nbgrader configuration of the course: run every nbgrader command from the repository root.

- ``solutions/NN-topic/`` is nbgrader's source (the only notebooks anyone edits);
  ``nbgrader generate_assignment NN-topic`` writes the student copy to ``notebooks/NN-topic/``.
- The gradebook lives outside the repository: ``$ASYNCIO_COURSE_GRADEBOOK`` if set, else
  ``~/.local/share/asyncio-course/gradebook.db`` (``$XDG_DATA_HOME`` respected).
- ``submitted/``, ``autograded/`` and ``feedback/`` stay in the repository root (git ignores them).
- A test cell exactly as released restores its hidden tests silently; an edited one is warned about
  and restored (``helpers.grading.sanitize``).
- Autograding survives cells that hang, block the loop, spin or kill the kernel (``helpers.grading.execute``).
- Each grading kernel runs in a sandbox: no network, no view of the course, the gradebook or the homes,
  an unprivileged uid (``helpers.grading.sandbox``; ``c.BoundedExecute.sandbox``).
- Validate (JupyterLab's button, ``nbgrader validate FILE``) runs the same hang-proof runner with a shorter
  limit per cell and answers in a few lines: the cells that hung, the graded cells that failed and why,
  and which graded cells passed.
"""

import os
from pathlib import Path

from helpers.grading.execute import use_for_validation

c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"


def _gradebook() -> Path:
    if os.environ.get("ASYNCIO_COURSE_GRADEBOOK"):
        return Path(os.environ["ASYNCIO_COURSE_GRADEBOOK"]).expanduser().resolve()
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "asyncio-course" / "gradebook.db"


_db = _gradebook()
_db.parent.mkdir(parents=True, exist_ok=True)
# timeout=30: wait for another grader holding the SQLite lock instead of failing at once.
c.CourseDirectory.db_url = f"sqlite:///{_db}?timeout=30"

# Notebook cells of this course run on virtual time and finish in well under a second (the slowest, which start
# real processes, in a few): 8 s is plenty even with several kernels per core, and a hanging cell costs little.
c.Execute.timeout = 8
c.Execute.iopub_timeout = 4
# The released test cells lack their hidden tests: restore them without warning, warn only on a real edit.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "helpers.grading.sanitize.OverwriteReleasedCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "helpers.grading.execute.BoundedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback: a "What to fix" summary first (each failed check, its message, a link to the cell), and each
# failed cell's message in a box under it (helpers.grading.feedback).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "helpers.grading.feedback.FailedChecksSummary",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

c.ClearSolutions.code_stub = {"python": '# YOUR CODE HERE\nraise NotImplementedError("Student exercise")'}

# Validate: at most two cells may hang, 7 s each (a check stops a spinning program after 5 s), so a learner
# gets an answer in under 20 s whatever the notebook does.
c.Validator.BoundedExecute.timeout = 7
c.Validator.BoundedExecute.max_kernel_restarts = 1
# Grading runs each kernel in a sandbox where the machine can (helpers.grading.sandbox); Validate, on the
# learner's own machine, has nothing to protect.
c.BoundedExecute.sandbox = "auto"
c.Validator.BoundedExecute.sandbox = "off"
use_for_validation()
