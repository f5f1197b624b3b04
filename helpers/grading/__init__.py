"""The instructor's tools: grade a class in bounded time (``python -m helpers.grading ID``).

Apart from the learner's package (recording, views, checks), these import nbgrader, lazily:
``import helpers`` never loads them.

- :mod:`helpers.grading.execute`: ``BoundedExecute``, nbgrader's execute step made hang-proof, for
  autograding and for Validate (``nbgrader_config.py`` installs both).
- :mod:`helpers.grading.sanitize`: ``OverwriteReleasedCells``, nbgrader's test-cell restore that warns only
  about a test cell the student really edited (not about the hidden tests the student copy lacks).
- :mod:`helpers.grading.tamper`: a cheat never scores silently: static scan of the student's cells, a probe
  of the kernel after the last cell, a sentinel per test cell; findings flag the notebook for review.
- :mod:`helpers.grading.feedback`: feedback pages that start with what to fix.
- :mod:`helpers.grading.autograde`: grade every student of an assignment in parallel, each in a fresh
  kernel, in bounded time.
"""
