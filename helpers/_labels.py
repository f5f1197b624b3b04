"""Short human labels for what a task is waiting on: ``sleep(1.0)``, ``Queue.get``, ``task 'worker-2'``."""

from __future__ import annotations

import asyncio
import gc
import os
import types
from types import CodeType
from typing import Any

__all__ = ["describe_wait", "explain_wait", "await_chain", "coroutine_name", "short_qualname"]

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep
_SLEEP_CODE = asyncio.sleep.__code__
_TO_THREAD_CODE = asyncio.to_thread.__code__

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


def _future_label(fut: Any, executor_labels: dict[int, str] | None) -> str:
    if isinstance(fut, asyncio.Task):
        return f"task {fut.get_name()!r}"
    children = getattr(fut, "_children", None)
    if children is not None:  # asyncio.gather's future
        return f"gather({len(children)})"
    if executor_labels:
        label = executor_labels.get(id(fut))
        if label is not None:
            return label
    return "Future"


def _func_name(func: Any) -> str:
    inner = getattr(func, "func", None)  # functools.partial, as to_thread makes
    while inner is not None and getattr(inner, "__name__", None) is None:
        inner = getattr(inner, "func", None)
    target = inner if inner is not None else func
    name = getattr(target, "__name__", None) or type(target).__name__
    if name == "run" and getattr(func, "args", None):  # partial(context.run, f, ...)
        return _func_name(func.args[0])
    return name


def describe_wait(coro: Any, yielded: Any, executor_labels: dict[int, str] | None = None) -> str:
    """Label what a task waits on after a step.

    The label names the first asyncio API in the await chain (what the learner
    called), with a detail where it helps: ``sleep(0.5)``, ``PriorityQueue.get``,
    ``to_thread(fetch)``, ``task 'worker-2'``, ``gather(3)``, ``Future``.

    Args:
        coro: the task's coroutine (unwrapped or our recording wrapper).
        yielded: what the step yielded to the task (the future it now waits on).
        executor_labels: ``id(future) -> label`` for futures made by ``run_in_executor``.
    """
    if yielded is None:
        return "sleep(0)"
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
            return f"sleep({delay:g})" if isinstance(delay, int | float) else "sleep"
        if code is _TO_THREAD_CODE:
            func = _frame_local(obj, "func")
            return f"to_thread({_func_name(func)})" if func is not None else "to_thread"
        combinator = _COMBINATORS.get(qualname)
        if combinator is not None:
            return _combinator_label(combinator, obj, yielded, executor_labels)
        if qualname in _TASKGROUP_EXITS:
            return "TaskGroup"  # the end of `async with TaskGroup()`: waiting for its tasks
        owner, _, method = qualname.rpartition(".")
        if qualname == "_ContextManagerMixin.__aenter__":
            method = "acquire"  # `async with lock:` waits in the lock's acquire
        if owner and "<" not in owner:
            this = _frame_local(obj, "self")
            if this is not None:
                owner = type(this).__name__
            return f"{owner}.{method}"
        return qualname
    return _future_label(yielded, executor_labels)


def _combinator_label(name: str, frame_owner: Any, yielded: Any, executor_labels: dict[int, str] | None) -> str:
    """``wait_for(task 'fetch')``, ``wait(3)``, ``as_completed``: what is awaited, not the inner waiter."""
    if name == "wait_for":
        target = _frame_local(frame_owner, "fut")
        target = target if isinstance(target, asyncio.Future) else yielded
        return f"wait_for({_future_label(target, executor_labels)})"
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
