"""Timers that fall due at the same instant fire in the order they were scheduled.

asyncio keeps timers in a heap ordered by deadline only, so timers with equal deadlines
pop in whatever order the heap leaves them. On the real clock that hardly matters: a
timer set later gets a later deadline, because time has moved on in between. On virtual
time it matters a lot: eight tasks that each ``await asyncio.sleep(1)`` at virtual 0.0
all fall due at exactly 1.0. :class:`OrderedTimerHandle` breaks such ties by a sequence
number taken when the timer is scheduled, which is the order the real clock gives.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import Any

__all__ = ["OrderedTimerHandle", "schedule_timer"]

_scheduling_order = itertools.count()


class OrderedTimerHandle(asyncio.TimerHandle):
    """A ``TimerHandle`` ordered by (deadline, order of scheduling).

    Deadlines decide as in asyncio; ``_seq`` only breaks ties. Against a handle that is not
    ordered this way (one made by asyncio itself), the deadline alone decides, as in asyncio.
    """

    __slots__ = ("_seq",)

    def __lt__(self, other: object) -> bool:
        try:
            if self._when != other._when:
                return self._when < other._when
            return self._seq < other._seq
        except AttributeError:
            return super().__lt__(other)

    def __gt__(self, other: object) -> bool:
        try:
            if self._when != other._when:
                return self._when > other._when
            return self._seq > other._seq
        except AttributeError:
            return super().__gt__(other)

    def __le__(self, other: object) -> bool:
        try:
            if self._when != other._when:
                return self._when < other._when
            return self._seq <= other._seq
        except AttributeError:
            return super().__le__(other)

    def __ge__(self, other: object) -> bool:
        try:
            if self._when != other._when:
                return self._when > other._when
            return self._seq >= other._seq
        except AttributeError:
            return super().__ge__(other)

    __hash__ = asyncio.TimerHandle.__hash__


def schedule_timer(
    loop: asyncio.AbstractEventLoop,
    handle_type: type[OrderedTimerHandle],
    when: float,
    callback: Any,
    args: tuple[Any, ...],
    context: Any,
) -> OrderedTimerHandle:
    """What ``BaseEventLoop.call_at`` does, with a handle of ``handle_type`` that keeps ties in order."""
    if when is None:
        raise TypeError("when cannot be None")
    loop._check_closed()
    if loop._debug:
        loop._check_thread()
        loop._check_callback(callback, "call_at")
    timer = handle_type(when, callback, args, loop, context)
    timer._seq = next(_scheduling_order)
    if timer._source_traceback:
        del timer._source_traceback[-2:]  # this function and call_at, as asyncio drops call_at
    heapq.heappush(loop._scheduled, timer)
    timer._scheduled = True
    return timer
