"""``python -m helpers.grading ID``: autograde every submission of assignment ID (see ``helpers.grading.autograde``)."""

import sys

from .autograde import main

if __name__ == "__main__":  # not when multiprocessing re-imports this module in a worker
    sys.exit(main())
