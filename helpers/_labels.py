"""Short human labels for what a task is waiting on: ``sleep(1.0)``, ``Queue.get``, ``task 'worker-2'``."""

from __future__ import annotations

import asyncio
import gc
import inspect
import os
import sys
import types
from types import CodeType
from typing import Any

__all__ = [
    "describe_wait",
    "explain_wait",
    "await_chain",
    "coroutine_name",
    "short_qualname",
    "chained_source",
    "awaited_futures",
    "is_internal",
]

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep
_SLEEP_CODE = asyncio.sleep.__code__
_TO_THREAD_CODE = asyncio.to_thread.__code__
# the callback wrap_future adds to the asyncio future: its closure holds the concurrent future
_CALL_CHECK_CANCEL_CODE = next(
    c for c in asyncio.futures._chain_future.__code__.co_consts
    if isinstance(c, CodeType) and c.co_name == "_call_check_cancel"
)
_SOURCE_CELL = _CALL_CHECK_CANCEL_CODE.co_freevars.index("source")
_SOURCE_LOOP_CELL = _CALL_CHECK_CANCEL_CODE.co_freevars.index("source_loop")

# asyncio functions that wait on futures for the caller: qualname -> the name the learner called
_ASYNC_GENERATOR_STEPS = {"async_generator_asend", "async_generator_athrow"}
_TASKGROUP_EXITS = {"TaskGroup.__aexit__", "TaskGroup._aexit"}
_COMBINATORS = {
    "wait_for": "wait_for",
    "wait": "wait",
    "as_completed.<locals>._wait_for_one": "as_completed",  # 3.11, 3.12
    "_AsCompletedIterator._wait_for_one": "as_completed",  # 3.13
}

_COROUTINE = types.CoroutineType


def _future_types() -> frozenset[type]:
    """What ``await future`` leaves at the bottom of a chain: futures, tasks and the C future iterator."""
    loop = asyncio.new_event_loop()
    try:
        iterator = asyncio.Future(loop=loop).__await__()
        kinds = {asyncio.Future, asyncio.Task, asyncio.futures._PyFuture, asyncio.tasks._PyTask, type(iterator)}
        iterator.close()
    finally:
        loop.close()
    return frozenset(kind for kind in kinds if kind is not types.GeneratorType)


_FUTURE_TYPES = _future_types()

# code object -> qualname if the code belongs to asyncio itself, else None
_asyncio_code: dict[CodeType, str | None] = {}


def _asyncio_qualname(code: CodeType) -> str | None:
    try:
        return _asyncio_code[code]
    except KeyError:
        name = code.co_qualname if code.co_filename.startswith(_ASYNCIO_DIR) else None
        _asyncio_code[code] = name
        return name


def _private_asyncio_coroutines() -> frozenset[str]:
    """Qualified names of asyncio's own private coroutine functions (``Process._read_stream``...).

    Found by walking the code objects of every loaded ``asyncio`` module, nested ones included:
    these are the tasks asyncio starts for its own plumbing (pipe readers, stream helpers).
    """
    names = set()
    stack: list[CodeType] = []
    for name, module in list(sys.modules.items()):
        if name == "asyncio" or name.startswith("asyncio."):
            for value in vars(module).values():
                for member in [value, *vars(value).values()] if isinstance(value, type) else [value]:
                    code = getattr(getattr(member, "__func__", member), "__code__", None)
                    if isinstance(code, CodeType) and code.co_filename.startswith(_ASYNCIO_DIR):
                        stack.append(code)
    while stack:
        code = stack.pop()
        stack.extend(c for c in code.co_consts if isinstance(c, CodeType))
        parts = code.co_qualname.split(".")
        private = parts[-1].startswith("_") and not parts[-1].endswith("__")
        if code.co_flags & inspect.CO_COROUTINE and (private or "<locals>" in parts):
            names.add(code.co_qualname)
    return frozenset(names)


_INTERNAL: frozenset[str] | None = None


def is_internal(qualname: str) -> bool:
    """True for a task running one of asyncio's private coroutines: plumbing, not the program's own work."""
    global _INTERNAL
    if _INTERNAL is None:
        _INTERNAL = _private_asyncio_coroutines()
    return qualname in _INTERNAL


def coroutine_name(coro: Any) -> str:
    """The name of a coroutine's function, e.g. ``'worker'`` or ``'Server.handle'``.

    A coroutine function defined inside another function is named without the
    enclosing ``outer.<locals>.`` part: ``'download'``, not ``'main.<locals>.download'``.
    """
    name = getattr(coro, "__qualname__", None)
    if not isinstance(name, str):
        return type(coro).__name__
    return short_qualname(name)


def short_qualname(qualname: str) -> str:
    """``'main.<locals>.download'`` -> ``'download'``: what a learner calls the function."""
    return qualname.rpartition("<locals>.")[2]


def await_chain(coro: Any) -> tuple[list[Any], Any]:
    """Follow ``cr_await`` from a coroutine down to what it finally waits on.

    Returns:
        ``(frames, leaf)``: the coroutines and generators in the chain, outermost first,
        and the object at the bottom (a future, or ``None`` for a bare ``yield``).
    """
    chain = []
    current = coro
    for _ in range(100):  # a chain this deep is a bug elsewhere; do not loop forever
        if type(current) is _COROUTINE:
            # this runs for every step that waits on a future: coroutines down to a future, quickly
            chain.append(current)
            nxt = current.cr_await
            if type(nxt) is _COROUTINE:
                current = nxt
                continue
            if nxt is None or type(nxt) in _FUTURE_TYPES:
                return chain, nxt
            chain.pop()
        inner = getattr(current, "_coro", None)  # our own step-recording wrapper
        if inner is not None and hasattr(current, "_task_index"):
            current = inner
            if type(current) is _COROUTINE:
                continue
        if type(current).__name__ in _ASYNC_GENERATOR_STEPS:
            # `async for` / anext() await an asend object, which does not say which generator it
            # drives; the garbage collector knows what it refers to
            current = next((r for r in gc.get_referents(current) if isinstance(r, types.AsyncGeneratorType)), None)
            if current is None:
                return chain, None
        chain.append(current)
        nxt = getattr(current, "cr_await", None)
        if nxt is None:
            nxt = getattr(current, "gi_yieldfrom", None)
        if nxt is None:
            nxt = getattr(current, "ag_await", None)
        if nxt is None or not (
            hasattr(nxt, "cr_await")
            or hasattr(nxt, "gi_yieldfrom")
            or hasattr(nxt, "ag_await")
            or type(nxt).__name__ in _ASYNC_GENERATOR_STEPS
        ):
            return chain, nxt
        current = nxt
    return chain, None


def _frame_local(obj: Any, name: str) -> Any:
    frame = getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None) or getattr(obj, "ag_frame", None)
    if frame is None:
        return None
    return frame.f_locals.get(name)


def chained_source(fut: Any) -> Any:
    """The ``concurrent.futures.Future`` an asyncio future was chained to by ``wrap_future``, or None.

    ``run_in_executor``, ``to_thread`` and ``wrap_future`` all chain with a done callback on the
    asyncio future whose closure holds the source: read it there, as nothing else keeps it.
    """
    callbacks = getattr(fut, "_callbacks", None)
    if not callbacks:
        return None
    for entry in callbacks:
        callback = entry[0] if isinstance(entry, tuple) else entry
        if getattr(callback, "__code__", None) is _CALL_CHECK_CANCEL_CODE:
            return callback.__closure__[_SOURCE_CELL].cell_contents
    return None


def chained_loop(callback: Any) -> Any:
    """The loop a ``wrap_future``/``run_coroutine_threadsafe`` chain's callback works for, or None.

    ``_chain_future`` puts ``_call_check_cancel`` on the destination future; its closure
    names the source's loop (the loop that will complete it).
    """
    if getattr(callback, "__code__", None) is not _CALL_CHECK_CANCEL_CODE:
        return None
    return callback.__closure__[_SOURCE_LOOP_CELL].cell_contents


def _job_label(fut: Any) -> str | None:
    job = getattr(chained_source(fut), "_helpers_job", None)
    return None if job is None else job.label


def _future_label(fut: Any) -> str:
    if isinstance(fut, asyncio.Task):
        return f"task {fut.get_name()!r}"
    children = getattr(fut, "_children", None)
    if children is not None:  # asyncio.gather's future
        return f"gather({len(children)})"
    label = _job_label(fut)
    if label is not None:
        return label
    inner = _shielded(fut)
    if inner is not None:
        return f"shield({_future_label(inner)})"
    return "Future"


def awaited_futures(coro: Any, yielded: Any) -> list[Any]:
    """The futures a task waits on after a step: the one it yielded, a gather's children, ``wait_for``'s target.

    Used to link executor jobs and child processes to the tasks that await them.
    """
    found = [yielded]
    stack = list(getattr(yielded, "_children", None) or ())
    while stack:
        fut = stack.pop()
        found.append(fut)
        stack.extend(getattr(fut, "_children", None) or ())
    chain, _ = await_chain(coro)
    for obj in chain:
        code = getattr(obj, "cr_code", None)
        if code is None or _asyncio_qualname(code) is None:
            continue
        for name in ("fut", "fs", "self"):
            value = _frame_local(obj, name)
            if isinstance(value, set | list | tuple):
                found.extend(value)
            elif value is not None:
                found.append(value)
    return found


def _shielded(fut: Any) -> Any:
    """What ``fut`` shields, if it is the outer future ``asyncio.shield()`` returned; else ``None``.

    ``shield`` gives back a plain future with a done callback of its own (``_outer_done_callback``,
    3.11-3.13) whose closure holds the inner future.
    """
    for callback, _ in getattr(fut, "_callbacks", None) or ():
        code = getattr(callback, "__code__", None)
        if code is not None and code.co_name == "_outer_done_callback" and code.co_filename.startswith(_ASYNCIO_DIR):
            cells = dict(zip(code.co_freevars, callback.__closure__ or (), strict=True))
            cell = cells.get("inner")
            return cell.cell_contents if cell is not None else None
    return None


def _func_name(func: Any) -> str:
    inner = getattr(func, "func", None)  # functools.partial, as to_thread makes
    while inner is not None and getattr(inner, "__name__", None) is None:
        inner = getattr(inner, "func", None)
    target = inner if inner is not None else func
    name = getattr(target, "__name__", None) or type(target).__name__
    if name == "run" and getattr(func, "args", None):  # partial(context.run, f, ...)
        return _func_name(func.args[0])
    return name


# labels describe_wait has worked out, found again in C (``_speedups.WaitLabels``) when the recorder has it
_taught: Any = None


def use_wait_labels(taught: Any) -> None:
    """Let ``describe_wait`` look up labels it has worked out before in ``taught`` (a ``_speedups.WaitLabels``).

    The C lookup walks the await chain as ``await_chain`` does and reads the one local a label depends on,
    so what it gives back is what ``describe_wait`` would work out again; ``None`` turns it off.
    """
    global _taught
    _taught = taught


def _teach(code: CodeType, local: str, by_type: bool, key: Any, label: str) -> str:
    if _taught is not None:
        _taught.learn(code, local, by_type, key, label)
    return label


def describe_wait(coro: Any, yielded: Any) -> str:
    """Label what a task waits on after a step.

    The label names the first asyncio API in the await chain (what the learner
    called), with a detail where it helps: ``sleep(0.5)``, ``PriorityQueue.get``,
    ``to_thread(fetch)``, ``task 'worker-2'``, ``gather(3)``, ``Future``.

    Args:
        coro: the task's coroutine (unwrapped or our recording wrapper).
        yielded: what the step yielded to the task (the future it now waits on).
    """
    if yielded is None:
        return "sleep(0)"
    if _taught is not None:
        label = _taught.label(coro)
        if label is not None:
            return label
    chain, _ = await_chain(coro)
    for obj in chain:
        code = getattr(obj, "cr_code", None) or getattr(obj, "gi_code", None) or getattr(obj, "ag_code", None)
        if code is None:
            continue
        qualname = _asyncio_qualname(code)
        if qualname is None:
            continue
        if code is _SLEEP_CODE:
            delay = _frame_local(obj, "delay")
            if type(delay) in (int, float):
                return _teach(code, "delay", False, delay, f"sleep({delay:g})")
            return f"sleep({delay:g})" if isinstance(delay, int | float) else "sleep"
        if code is _TO_THREAD_CODE:
            func = _frame_local(obj, "func")
            return f"to_thread({_func_name(func)})" if func is not None else "to_thread"
        combinator = _COMBINATORS.get(qualname)
        if combinator is not None:
            return _combinator_label(combinator, obj, yielded)
        if qualname in _TASKGROUP_EXITS:
            return "TaskGroup"  # the end of `async with TaskGroup()`: waiting for its tasks
        owner, _, method = qualname.rpartition(".")
        if qualname == "_ContextManagerMixin.__aenter__":
            method = "acquire"  # `async with lock:` waits in the lock's acquire
        if owner and "<" not in owner:
            this = _frame_local(obj, "self")
            if this is not None:
                return _teach(code, "self", True, type(this), f"{type(this).__name__}.{method}")
            return f"{owner}.{method}"
        return qualname
    return _future_label(yielded)


def _combinator_label(name: str, frame_owner: Any, yielded: Any) -> str:
    """``wait_for(task 'fetch')``, ``wait(3)``, ``as_completed``: what is awaited, not the inner waiter."""
    if name == "wait_for":
        target = _frame_local(frame_owner, "fut")
        target = target if isinstance(target, asyncio.Future) else yielded
        return f"wait_for({_future_label(target)})"
    if name == "wait":
        futures = _frame_local(frame_owner, "fs")
        return f"wait({len(futures)})" if isinstance(futures, set | list | tuple) else "wait"
    return name


def explain_wait(coro: Any, label: str) -> str:
    """Add what is known about the state of the thing awaited, for deadlock reports.

    ``"Queue.get"`` becomes ``"Queue.get (queue empty)"``; ``"Event.wait"`` becomes
    ``"Event.wait (event never set)"``, and so on.
    """
    chain, _ = await_chain(coro)
    for obj in chain:
        this = _frame_local(obj, "self")
        if isinstance(this, asyncio.Queue):
            if label.endswith(".get"):
                return f"{label} (queue empty, and no task left that could put)"
            if label.endswith(".put"):
                return f"{label} (queue full at maxsize={this.maxsize}, and no task left that could get)"
        if isinstance(this, asyncio.Event):
            return f"{label} (the event is never set)"
        if isinstance(this, asyncio.Condition):
            return f"{label} (nobody left to notify)"
        if isinstance(this, asyncio.Lock | asyncio.Semaphore):
            return f"{label} (held, and never released)"
        if isinstance(this, asyncio.Barrier):
            return f"{label} (not enough parties arrive)"
    if label == "Future":  # a plain future (the leaf is its await iterator): nothing left can complete it
        return "a Future that nothing will ever complete"
    return label
