"""Tamper detection: a submission that patches the checks or forges results is flagged for review.

Nothing inside one interpreter can be made unpatchable: a student's code runs in the kernel
that runs the tests, and could change anything there. So the grader does not try to prevent
tampering; it makes sure a cheat never scores *silently*. The score stays as computed, and the
notebook is flagged for manual review with a one-line reason. Three independent looks:

1. **Static scan** (:func:`scan_source`, :func:`scan_notebook`): the student's cells (every code
   cell but the test cells, which nbgrader restores) are parsed, and patterns that change the
   grading machinery are reported: storing into (or deleting from) ``helpers``, ``asyncio``,
   ``builtins``, ``sys``, IPython or ipykernel objects, ``setattr`` on them, ``__code__``
   assignments, ``sys.modules`` edits, the shell's ``run_cell``/``run_cell_async``/
   ``run_ast_nodes`` and the kernel's ``do_execute``, AST or input transformers, custom
   exception handlers, trace/profile hooks, ``exec``/``eval``, and redefining a builtin
   (``def abs``, ``isinstance = ...``). None of the course's notebooks or fixtures does any of it.
2. **Runtime probe** (:data:`PROBE_EXPRESSION`, run by ``BoundedExecute`` in the student's
   kernel after the last cell, before the kernel shuts down): compares the code of ``helpers``,
   asyncio's core, IPython's shell, ipykernel's kernel and jupyter_client's session with the
   files on disk, and looks for notebook-made functions held by any library, methods replaced on
   the shell or kernel, trace hooks and replaced builtins (rules in :mod:`helpers.grading._probe`).
   No answer at all (the kernel's execution machinery was replaced) is itself a finding.
3. **Contradictions** (:class:`Sentinels`): the grader appends one line to every test cell that
   prints a random token. A test cell that reports success but whose token never printed did
   not run to its end: its result was forged.

Each finding is logged as one line ``TAMPER: flagged for review: REASON`` (:data:`LOG_PREFIX`,
:data:`LOG_PATTERN`): ``nbgrader autograde`` shows it, and ``python -m helpers.grading`` turns it
into a ``FLAGGED for review`` mark in its table.
"""

from __future__ import annotations

import ast
import re
import secrets
from pathlib import Path
from typing import Any

__all__ = [
    "LOG_PATTERN",
    "summarise",
    "LOG_PREFIX",
    "PROBE_EXPRESSION",
    "Sentinels",
    "read_probe",
    "scan_notebook",
    "scan_source",
]

#: Start of every log line that flags a notebook.
LOG_PREFIX = "TAMPER: flagged for review: "
#: Finds the reasons in a grading log.
LOG_PATTERN = re.compile(r"TAMPER: flagged for review: (.+)")

#: Modules (and their submodules) whose objects a student's code must not change.
GUARDED = ("helpers", "asyncio", "builtins", "sys", "IPython", "ipykernel", "jupyter_client", "threading", "_asyncio")
#: Names that only code tampering with the shell or the kernel has a reason to mention.
MACHINERY = {
    "run_cell": "the shell's run_cell",
    "run_cell_async": "the shell's run_cell_async",
    "run_ast_nodes": "the shell's run_ast_nodes",
    "run_code": "the shell's run_code",
    "_run_cell": "the shell's _run_cell",
    "do_execute": "the kernel's do_execute",
    "execute_request": "the kernel's execute_request",
    "ast_transformers": "the shell's AST transformers",
    "input_transformers_post": "the shell's input transformers",
    "input_transformers_cleanup": "the shell's input transformers",
    "input_transformer_manager": "the shell's input transformers",
    "set_custom_exc": "the shell's exception handler",
    "CustomTB": "the shell's exception handler",
    "showtraceback": "the shell's traceback display",
    "_showtraceback": "the shell's traceback display",
    "settrace": "a trace hook",
    "setprofile": "a profile hook",
    "monitoring": "sys.monitoring",
    "__code__": "a function's code",
}
_CALLS = {
    "exec": "exec() of generated code",
    "eval": "eval() of generated code",
    "setattr": "setattr",
    "delattr": "delattr",
}


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` for an attribute chain on a name (the name resolved through imports), else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
        parts.append("get_ipython()")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type":
        parts.append("type()")
    elif isinstance(node, ast.Name):
        parts.append(aliases.get(node.id, node.id))
    else:
        return None
    return ".".join(reversed(parts))


def _guarded(path: str | None) -> bool:
    return path is not None and (path == "type()" or path.split(".")[0] in (*GUARDED, "get_ipython()"))


def _store_base(target: ast.AST) -> ast.AST | None:
    """The object a store changes: ``x`` for ``x.a = ...`` and ``x[k] = ...``."""
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        return target.value
    return None


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that bind names in the notebook's namespace (inside if/try/with/loops too, not in defs)."""
    found = []
    for stmt in body:
        found.append(stmt)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            found.extend(_module_level(getattr(stmt, field, []) or []))
        for handler in getattr(stmt, "handlers", []) or []:
            found.extend(_module_level(handler.body))
    return found


def scan_source(source: str) -> list[str]:
    """What in one cell's code changes the grading machinery: one short reason each, ``[]`` if nothing.

    Cells that are not Python (a syntax error, IPython magics) are scanned as far as they parse.

    Example use::

        >>> scan_source("from helpers import checks\\nchecks.ran_concurrently = lambda *a, **k: None")
        ['assigns helpers.checks.ran_concurrently']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            return []
    import builtins

    # names the course's notebooks import in an earlier cell
    aliases: dict[str, str] = {"checks": "helpers.checks", "Timeline": "helpers.Timeline", "trace": "helpers.trace"}
    reasons: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = _dotted(node.value.func, aliases) or ""
            if callee in ("get_ipython", "IPython.get_ipython") or callee.endswith(
                ("import_module", "sys.modules.get")
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        aliases[target.id] = "get_ipython()" if "ipython" in callee else "sys.modules[]"
        elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute)):
            path = _dotted(node.value, aliases)
            if _guarded(path):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        aliases[target.id] = path
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
            if _dotted(node.value.value, aliases) == "sys.modules":
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        aliases[target.id] = "sys.modules[]"
    top_level = set(_module_level(tree.body))
    builtin_names = {name for name in dir(builtins) if not name.startswith("_") and callable(getattr(builtins, name))}
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            for leaf in ast.walk(target) if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                if isinstance(leaf, ast.Name) and leaf.id in builtin_names and node in top_level:
                    reasons.append(f"redefines the builtin {leaf.id}")
                base = _store_base(leaf)
                path = _dotted(base, aliases) if base is not None else None
                if isinstance(leaf, ast.Attribute) and leaf.attr == "__code__":
                    reasons.append("replaces a function's __code__")
                elif path == "sys.modules":
                    reasons.append("changes sys.modules")
                elif _guarded(path) or (path or "").startswith("sys.modules[]"):
                    name = f"{path}.{leaf.attr}" if isinstance(leaf, ast.Attribute) else f"{path}[...]"
                    reasons.append(f"{'deletes' if isinstance(node, ast.Delete) else 'assigns'} {name}")
        defines = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if defines and node.name in builtin_names and node in top_level:
            reasons.append(f"redefines the builtin {node.name}")
        if isinstance(node, ast.Call):
            callee = _dotted(node.func, aliases) or ""
            last = callee.rsplit(".", 1)[-1]
            if callee in _CALLS:
                if callee in ("setattr", "delattr"):
                    target = _dotted(node.args[0], aliases) if node.args else None
                    if _guarded(target) or (target or "").startswith("sys.modules[]"):
                        reasons.append(f"{callee} on {target}")
                else:
                    reasons.append(_CALLS[callee])
            elif callee.startswith("sys.modules.") and last in ("update", "pop", "setdefault", "__setitem__", "clear"):
                reasons.append("changes sys.modules")
            elif callee in ("importlib.reload", "reload"):
                reasons.append("reloads a module")
        if isinstance(node, ast.Attribute) and node.attr in MACHINERY:
            base = _dotted(node.value, aliases) or ""
            if node.attr != "__code__" and not (node.attr == "monitoring" and base != "sys"):
                reasons.append(f"reaches {MACHINERY[node.attr]} ({base}.{node.attr})")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MACHINERY:
            if node.value not in ("monitoring", "__code__"):  # getattr(f, "__code__") only reads
                reasons.append(f"names {MACHINERY[node.value]} ({node.value!r})")
    stores = {reason.split(" ", 1)[1] for reason in reasons if reason.startswith(("assigns ", "deletes "))}
    return list(
        dict.fromkeys(r for r in reasons if not (r.startswith("reaches ") and r[:-1].rsplit(" (", 1)[-1] in stores))
    )


def _is_test_cell(cell: Any) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def scan_notebook(nb: Any) -> list[str]:
    """:func:`scan_source` on every code cell but the test cells, each reason naming its cell.

    Returns reasons like ``"cell 12 (ex3_1_fetch_all) assigns helpers.checks.ran_concurrently"``.
    """
    reasons = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        where = f"cell {index}" + (f" ({grade_id})" if grade_id else "")
        reasons.extend(f"{where} {reason}" for reason in scan_source(cell.get("source", "")))
    return reasons


_PROBE_SOURCE = (Path(__file__).with_name("_probe.py")).read_text(encoding="utf-8")
#: A ``user_expressions`` entry that runs the probe in the kernel and evaluates to its list of reasons.
PROBE_EXPRESSION = (
    "(lambda ns: [__import__('builtins').exec(__import__('builtins').compile("
    f"{_PROBE_SOURCE!r}, '<grader probe>', 'exec'), ns), ns['RESULT']][1])({{'__name__': '__grader_probe__'}})"
)


def read_probe(reply: dict[str, Any] | None) -> list[str]:
    """The probe's reasons from the kernel's ``execute_reply`` (``None``: no reply came)."""
    if reply is None:
        return ["the kernel did not answer the integrity probe"]
    result = reply.get("content", {}).get("user_expressions", {}).get("probe")
    if not isinstance(result, dict):
        return ["the kernel answered the integrity probe without running it (its execution machinery was changed)"]
    if result.get("status") != "ok":
        return [f"the integrity probe failed in the kernel: {result.get('ename')}: {result.get('evalue')}"]
    text = result.get("data", {}).get("text/plain", "")
    try:
        reasons = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ["the integrity probe's answer was not the list it returns (its answer was forged)"]
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return ["the integrity probe's answer was not the list it returns (its answer was forged)"]
    return [f"kernel: {reason}" for reason in reasons]


_FORGED = " reported success but did not run to its end"


def summarise(reasons: list[str], limit: int = 8) -> list[str]:
    """The lines to log: duplicates dropped, every test cell that did not run to its end in one line, at most ``limit``.

    Example use::

        >>> summarise(["test cell a reported success but did not run to its end",
        ...            "test cell b reported success but did not run to its end", "kernel: x changed"])
        ['2 test cells reported success but did not run to their end: a, b', 'kernel: x changed']
    """
    unique = list(dict.fromkeys(reasons))
    is_forged = [r.startswith("test cell ") and r.endswith(_FORGED) for r in unique]
    forged = [r[len("test cell ") : -len(_FORGED)] for r, f in zip(unique, is_forged) if f]
    lines = [r for r, f in zip(unique, is_forged) if not f]
    if len(forged) == 1:
        lines.insert(0, f"test cell {forged[0]}{_FORGED}")
    elif forged:
        lines.insert(0, f"{len(forged)} test cells reported success but did not run to their end: {', '.join(forged)}")
    if len(lines) > limit:
        lines = [*lines[: limit - 1], f"... and {len(lines) - limit + 1} more findings"]
    return lines


class Sentinels:
    """One random token per test cell, printed by a line the grader appends to the cell.

    Example use (in an execute preprocessor)::

        sentinels = Sentinels()
        source = sentinels.arm(cell, index)     # run this instead of cell.source
        ...                                     # execute; then
        reason = sentinels.check(cell, index)   # None, or why the cell's result contradicts what ran
    """

    def __init__(self) -> None:
        self._tokens: dict[int, str] = {}

    def arm(self, cell: Any, index: int) -> str:
        """The source to run for ``cell``: its own, plus the sentinel line for a test cell."""
        if not _is_test_cell(cell):
            return cell.source
        token = f"grader-sentinel-{secrets.token_hex(8)}"
        self._tokens[index] = token
        # one line at the end: the cell's line numbers (and so its tracebacks) stay as they were
        return f"{cell.source}\nprint({token!r})"

    def check(self, cell: Any, index: int) -> str | None:
        """Remove the token from ``cell``'s output; say why if the cell passed without printing it."""
        token = self._tokens.pop(index, None)
        if token is None:
            return None
        printed = False
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and token in out.get("text", ""):
                printed = True
                out["text"] = out["text"].replace(token + "\n", "").replace(token, "")
                if not out["text"]:
                    continue
            kept.append(out)
        cell["outputs"] = kept
        failed = any(
            out.get("output_type") == "error" or out.get("output_type") == "stream" and out.get("name") == "stderr"
            for out in kept
        )
        if failed or printed:
            return None
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {index}")
        return f"test cell {grade_id}{_FORGED}"
