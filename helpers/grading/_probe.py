"""The integrity probe the grader runs in a student's kernel once the last cell has run.

This file is sent as source and executed in a fresh namespace in the kernel (see
:mod:`helpers.grading.tamper`): it imports nothing from the course's grading tools, and the
kernel never imports it as a module. :func:`probe` returns one short reason per thing found
changed, ``[]`` for a kernel as the course's packages left it. What it compares, and against what:

1. **Code of the modules grading relies on** (``helpers`` and its submodules, asyncio's tasks,
   futures, loops, timeouts and queues, IPython's shell, ipykernel's kernel and shell,
   jupyter_client's session): every function and method defined in the module's file must
   still be that file's code (compared with the code compiled from the file on disk, or its
   up-to-date ``.pyc``); a name the file defines must not now hold a function from elsewhere.
   ``f.__code__ = ...`` and ``module.f = lambda ...`` both show here.
2. **Anything defined in the notebook, held by a library.** No module attribute, and no
   attribute of a class a module defines, may be a function, method or class created in
   the notebook (its globals are the notebook's namespace, or its module is ``__main__``).
3. **The shell and the kernel objects.** No method of the shell, the kernel, its session or
   the display hooks is overridden on the instance (``shell.run_cell = wrapper``), apart from
   the course's own interrupt handler (``helpers._kernel``); the shell's custom exception
   handler is the course's (or none); no AST transformer, and only IPython's own input
   transformers.
4. **Hooks that see or steer every line.** ``sys.settrace``/``sys.setprofile`` (and
   ``threading``'s) are unset; on 3.12+ no ``sys.monitoring`` tool is registered.
5. **Builtins and names the tests use.** Every builtin is still a C builtin (``print``,
   ``__import__``, ``AssertionError``, ...), IPython's own additions aside; the notebook's
   ``__builtins__`` is the ``builtins`` module; ``checks`` and ``helpers`` in the notebook's
   namespace are the real modules, and every module checked in 1 is the one ``sys.modules``
   holds, loaded from the course's environment.
"""

import builtins
import functools
import importlib.util
import marshal
import os
import sys
import types

#: Modules whose code is compared with their files (1); every loaded ``helpers.*`` module is added.
CODE_MODULES = (
    "asyncio",
    "asyncio.base_events",
    "asyncio.events",
    "asyncio.futures",
    "asyncio.tasks",
    "asyncio.timeouts",
    "asyncio.taskgroups",
    "asyncio.queues",
    "asyncio.locks",
    "asyncio.selector_events",
    "asyncio.unix_events",
    "asyncio.runners",
    "IPython.core.interactiveshell",
    "IPython.core.displayhook",
    "ipykernel.ipkernel",
    "ipykernel.kernelbase",
    "ipykernel.zmqshell",
    "ipykernel.displayhook",
    "jupyter_client.session",
)
#: Instance attributes a clean kernel sets to functions on these objects (3).
_ALLOWED_OVERRIDES = {"_cancel_on_sigint"}
#: Methods that run a cell, report its result or publish its error: never replaced on the instance (3).
_CRITICAL = {
    "run_cell",
    "run_cell_async",
    "_run_cell",
    "run_ast_nodes",
    "run_code",
    "should_run_async",
    "transform_cell",
    "transform_ast",
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "do_execute",
    "execute_request",
    "send_response",
    "dispatch_shell",
    "process_one",
    "send",
    "serialize",
    "sign",
    "publish",
    "write_output_prompt",
    "write_format_data",
    "finish_displayhook",
    "compute_format_data",
}
#: Modules whose functions a clean kernel puts among the builtins (IPython, the debugger ipykernel bundles).
_BUILTIN_ADDERS = ("IPython", "ipykernel", "helpers", "_pydev", "pydevd", "debugpy")
_FUNCTION_TYPES = (types.FunctionType, types.MethodType)


def _code_from_disk(module):
    """The module's code as its file on disk says, or None when there is no source file."""
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py") or not os.path.exists(path):
        return None
    cached = importlib.util.cache_from_source(path)
    try:
        with open(cached, "rb") as f:
            data = f.read()
        stat = os.stat(path)
        flags = int.from_bytes(data[4:8], "little")
        if flags == 0 and int.from_bytes(data[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF:
            if int.from_bytes(data[12:16], "little") == stat.st_size & 0xFFFFFFFF:
                return marshal.loads(data[16:])
    except (OSError, ValueError, EOFError):
        pass
    with open(path, "rb") as f:
        return compile(f.read(), path, "exec", dont_inherit=True)


def _codes_by_qualname(code, found=None):
    found = {} if found is None else found
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found.setdefault(const.co_qualname, []).append(const)
            _codes_by_qualname(const, found)
    return found


def _functions(obj):
    """The plain functions behind a module or class attribute (unwrapping decorators and descriptors)."""
    seen = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (staticmethod, classmethod)):
            stack.append(item.__func__)
        elif isinstance(item, property):
            stack.extend(f for f in (item.fget, item.fset, item.fdel) if f is not None)
        elif isinstance(item, types.FunctionType):
            seen.append(item)
            if hasattr(item, "__wrapped__"):
                stack.append(item.__wrapped__)
        elif hasattr(item, "__wrapped__") and not isinstance(item, type):
            stack.append(item.__wrapped__)
    return seen


def _resolve(module, qualname):
    obj = module
    for part in qualname.split("."):
        namespace = getattr(obj, "__dict__", None)
        if namespace is None or part not in namespace:
            return None, False
        obj = namespace[part]
    return obj, True


def _check_code(name, module, user_ns, reasons):
    code = _code_from_disk(module)
    if code is None:
        return
    path = module.__file__
    by_qualname = _codes_by_qualname(code)
    for qualname in by_qualname:
        if "<" in qualname:  # lambdas, comprehensions, nested functions: reached through their parents
            continue
        obj, found = _resolve(module, qualname)
        if not found:
            continue
        if isinstance(obj, type):
            continue
        for function in _functions(obj):
            live = function.__code__
            where = f"{name}.{qualname}"
            expected = by_qualname.get(function.__qualname__)
            if _from_notebook(function, user_ns):
                reasons.append(f"{where} was replaced by code written in the notebook")
            elif function.__globals__ is vars(module) and expected is not None:
                # types.coroutine changes a generator function's flags in place: compare without them
                if live.co_filename != path or not any(live.replace(co_flags=c.co_flags) == c for c in expected):
                    reasons.append(f"{where} no longer runs the code of {os.path.basename(path)}")
        if not _functions(obj) and callable(obj) and not isinstance(obj, type):
            own = qualname.rsplit(".", 1)[-1]
            if getattr(obj, "__name__", own) != own:
                reasons.append(f"{name}.{qualname} was replaced by {getattr(obj, '__name__', type(obj).__name__)}")


def _from_notebook(obj, user_ns):
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, types.FunctionType):
        return obj.__globals__ is user_ns or obj.__module__ == "__main__"
    if isinstance(obj, type):
        return obj.__module__ == "__main__"
    return False


def _member_from_notebook(member, user_ns):
    kind = type(member)
    if kind is types.FunctionType:  # the common case, checked fast
        return member.__globals__ is user_ns or member.__module__ == "__main__"
    if kind in (staticmethod, classmethod, property, functools.partial, types.MethodType):
        inner = [getattr(member, "func", None), *_functions(member)]
        return _from_notebook(member, user_ns) or any(_from_notebook(f, user_ns) for f in inner)
    return isinstance(member, type) and member.__module__ == "__main__"


def _check_held_by_libraries(user_ns, reasons):
    for name, module in list(sys.modules.items()):
        if not isinstance(module, types.ModuleType) or name == "__main__" or vars(module) is user_ns:
            continue
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attr, value in items:
            try:
                if _from_notebook(value, user_ns):
                    reasons.append(f"{name}.{attr} was replaced by code written in the notebook")
                elif isinstance(value, type) and value.__module__ == name:
                    for key, member in list(vars(value).items()):
                        if _member_from_notebook(member, user_ns):
                            reasons.append(
                                f"{name}.{value.__qualname__}.{key} was replaced by code written in the notebook"
                            )
            except Exception:  # noqa: BLE001, S112 - a lazy or odd object that cannot be looked at: not ours
                continue


def _check_instances(shell, reasons):
    kernel = getattr(shell, "kernel", None)
    objects = {"the shell": shell, "the display hook": getattr(shell, "displayhook", None)}
    objects["the display publisher"] = getattr(shell, "display_pub", None)
    if kernel is not None:
        objects["the kernel"] = kernel
        objects["the kernel's session"] = getattr(kernel, "session", None)
    for what, obj in objects.items():
        if obj is None:
            continue
        for attr, value in list(getattr(obj, "__dict__", {}).items()):
            if not callable(value) or isinstance(value, type):
                continue
            if attr in _ALLOWED_OVERRIDES and any(_is_courses(f) for f in _functions(value)):
                continue
            if attr in _CRITICAL:
                own = getattr(type(obj), attr, None)
                if not (isinstance(value, types.MethodType) and value.__self__ is obj and value.__func__ is own):
                    reasons.append(f"{attr} of {what} was replaced on the instance")
                    continue
            inner = _functions(getattr(value, "__func__", value)) or _functions(getattr(value, "func", None))
            if _from_notebook(value, shell.user_ns) or any(
                _from_notebook(f, shell.user_ns) or f.__code__.co_filename.startswith("<") for f in inner
            ):
                reasons.append(f"{attr} of {what} was replaced by code written in the notebook")
    custom = getattr(shell, "CustomTB", None)
    handlers = []
    if getattr(shell, "custom_exceptions", ()):
        closure = getattr(getattr(custom, "__func__", None), "__closure__", None) or ()
        handlers = [cell.cell_contents for cell in closure if callable(cell.cell_contents)]
        if not any(_is_courses(h) for h in handlers):
            reasons.append("the shell's exception handler (set_custom_exc) is not the course's")
    if list(getattr(shell, "ast_transformers", [])):
        reasons.append("the shell has AST transformers, which rewrite every cell before it runs")
    manager = getattr(shell, "input_transformer_manager", None)
    transforms = list(getattr(shell, "input_transformers_post", []))
    if manager is not None:
        transforms += list(manager.cleanup_transforms) + list(manager.line_transforms)
        transforms += list(getattr(manager, "token_transformers", []))
    for transform in transforms:
        module = getattr(transform, "__module__", "") or ""
        if not module.startswith(("IPython.", "ipykernel.")):
            reasons.append("the shell has an input transformer that is not IPython's, which rewrites every cell")
            break


def _is_courses(function):
    function = getattr(function, "__func__", function)
    code = getattr(function, "__code__", None)
    helpers = sys.modules.get("helpers")
    if code is None or helpers is None or not getattr(helpers, "__file__", None):
        return False
    return code.co_filename.startswith(os.path.dirname(helpers.__file__) + os.sep)


def _check_hooks(reasons):
    import threading

    if sys.gettrace() is not None or getattr(threading, "_trace_hook", None) is not None:
        reasons.append("a trace function is set (sys.settrace), which can change what every line does")
    if sys.getprofile() is not None or getattr(threading, "_profile_hook", None) is not None:
        reasons.append("a profile function is set (sys.setprofile)")
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        tools = [monitoring.get_tool(i) for i in range(6)]
        if any(tools):
            reasons.append(f"a sys.monitoring tool is registered ({', '.join(filter(None, tools))})")


def _check_builtins(shell, reasons):
    for name, value in list(vars(builtins).items()):
        if isinstance(value, type):
            if value.__flags__ & (1 << 9) and value.__module__ == "__main__":  # a heap type: made in Python
                reasons.append(f"the builtin {name} was replaced by a class written in the notebook")
        elif isinstance(value, _FUNCTION_TYPES):
            module = getattr(value, "__module__", "") or ""
            if _from_notebook(value, shell.user_ns) or not module.startswith(_BUILTIN_ADDERS):
                reasons.append(f"the builtin {name} was replaced")
    for name, value in list(shell.user_ns.items()):
        original = vars(builtins).get(name)
        if name.startswith("_") or original is None or value is original or not callable(original):
            continue
        if _from_notebook(value, shell.user_ns) or isinstance(value, types.BuiltinFunctionType):
            reasons.append(f"the notebook redefines the builtin {name}")
    if shell.user_ns.get("__builtins__", builtins) is not builtins:
        reasons.append("the notebook's __builtins__ is not the builtins module")


def _check_modules(names, shell, reasons):
    user_ns = shell.user_ns
    for name in names:
        module = sys.modules.get(name)
        if module is None:
            continue
        if not isinstance(module, types.ModuleType):
            reasons.append(f"sys.modules[{name!r}] is not a module")
            continue
        spec = importlib.util.find_spec(name) if "." not in name or name.rsplit(".", 1)[0] in sys.modules else None
        if spec is not None and spec.origin and getattr(module, "__file__", None) != spec.origin:
            reasons.append(f"sys.modules[{name!r}] is not the module the course installed")
            continue
        _check_code(name, module, user_ns, reasons)
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules and vars(sys.modules[parent]).get(child, module) is not module:
            reasons.append(f"{parent}.{child} is not the module sys.modules holds")
    for name, module_name in (("checks", "helpers.checks"), ("helpers", "helpers")):
        if name in user_ns and module_name in sys.modules and user_ns[name] is not sys.modules[module_name]:
            if isinstance(user_ns[name], types.ModuleType) or name == "checks":
                reasons.append(f"the name {name!r} in the notebook is not the module {module_name}")


def probe(shell):
    """What in this kernel differs from the course's packages as installed: one short reason each."""
    reasons = []
    names = list(CODE_MODULES) + sorted(n for n in sys.modules if n == "helpers" or n.startswith("helpers."))
    for step in (
        lambda: _check_modules(names, shell, reasons),
        lambda: _check_held_by_libraries(shell.user_ns, reasons),
        lambda: _check_instances(shell, reasons),
        lambda: _check_hooks(reasons),
        lambda: _check_builtins(shell, reasons),
    ):
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - a probe that breaks is itself a finding
            reasons.append(f"the integrity probe failed: {type(exc).__name__}: {exc}")
    return list(dict.fromkeys(reasons))


if __name__ == "__grader_probe__":
    from IPython import get_ipython

    RESULT = probe(get_ipython())
