"""The instructor's tools: grade a class in bounded time (``python -m helpers.grading ID``).

Apart from the learner's package (recording, views, checks), these import nbgrader, lazily:
``import helpers`` never loads them.

- :mod:`helpers.grading.execute`: ``BoundedExecute``, nbgrader's execute step made hang-proof, for
  autograding and for Validate (``nbgrader_config.py`` installs both).
- :mod:`helpers.grading.sanitize`: ``OverwriteReleasedCells``, nbgrader's test-cell restore that warns only
  about a test cell the student really edited (not about the hidden tests the student copy lacks).
- :mod:`helpers.grading.sandbox`: run each grading kernel without network, without a view of the course or
  the gradebook, as an unprivileged user (Linux namespaces; ``python -m helpers.grading.sandbox`` probes).
- :mod:`helpers.grading.tamper`: a cheat never scores silently: static scan of the student's cells, a probe
  of the kernel after the last cell, a sentinel per test cell; findings flag the notebook for review.
- :mod:`helpers.grading.feedback`: feedback pages that start with what to fix.
- :mod:`helpers.grading.autograde`: grade every student of an assignment in parallel, each in a fresh
  kernel, in bounded time.
- :mod:`helpers.grading.progress`: ``Progress``, what the instructor sees while a class is graded (a terminal
  line, log lines, or a notebook display).
- :mod:`helpers.grading.report`: ``write_class_report``, the class report written next to ``grades.csv``
  (plots, HTML and Markdown tables, CSVs).
- :mod:`helpers.grading.cluster`: run the grading jobs on a Dask cluster (a fresh process per job, retried
  when a worker dies, results back to the one gradebook writer).
- :mod:`helpers.grading.changes`: regrade only what changed (a fingerprint per submission).
"""
