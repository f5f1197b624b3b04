"""``python -m helpers``: one line saying whether the optional C accelerator is in use.

The course's set-up prints it after installing, because pip hides a failed build of the accelerator.
"""

import os

from . import accelerated

if accelerated():
    print("helpers: the C accelerator is in use.")
elif os.environ.get("HELPERS_PURE_PYTHON", "") not in ("", "0"):
    print("helpers: HELPERS_PURE_PYTHON is set, so steps are recorded in pure Python (same results, slower).")
else:
    print(
        "helpers: the optional C accelerator was not built (or was built from older sources), so steps are recorded"
        " in pure Python: the same results, slower on large programs. `pip install -v -e .` rebuilds it and shows"
        " the compiler's messages."
    )
