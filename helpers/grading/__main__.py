"""``python -m helpers.grading ID``: autograde every submission of assignment ID (see ``helpers.grading.autograde``)."""

import sys

# jsonschema (through nbformat) builds the grammars of rfc3987_syntax when it is imported: 1.3 s of CPU for the
# "iri" string formats, which no notebook schema uses. The command line goes without them.
sys.modules.setdefault("rfc3987_syntax", None)

from .autograde import main  # noqa: E402

if __name__ == "__main__":  # not when multiprocessing re-imports this module in a worker
    sys.exit(main())
