"""helpers._feedback: a failed check's run drawn next to what the check expected (shown while grading)."""

from __future__ import annotations

import asyncio

import pytest

from helpers import checks
from helpers._feedback import explain


async def _fetch(name: str, delay: float) -> None:
    await asyncio.sleep(delay)


async def _one_after_another() -> None:
    for name, delay in [("a", 1), ("b", 2), ("c", 3)]:
        await asyncio.create_task(_fetch(name, delay), name=name)


def test_explain_draws_the_run_and_the_expected_overlap():
    timeline = checks.run(_one_after_another())
    with pytest.raises(AssertionError) as failure:
        checks.ran_concurrently(timeline, at_least=3)
    text = explain(failure.value)
    assert text.startswith("What your code did:\n6.000 s of virtual time")
    assert "What the check expected: at least 3 tasks in progress at the same time" in text
    expected = text.split("started together:\n")[1].splitlines()
    assert expected[1].startswith("a    |#") and expected[3].startswith("c    |#-")  # all start at 0


def test_explain_needs_a_run_and_an_assertion():
    assert explain(ValueError("no")) is None
    assert explain(AssertionError("a plain assert")) is None
    timeline = checks.run(_one_after_another())
    with pytest.raises(AssertionError) as failure:
        checks.took_about(timeline, 3.0)
    assert "the whole run takes about 3 s (give or take 0.01); yours took 6 s" in explain(failure.value)


async def _leaves_a_task() -> None:
    asyncio.create_task(asyncio.sleep(5), name="forgotten")
    await asyncio.sleep(1)


def test_explain_names_the_innermost_check():
    with pytest.raises(AssertionError) as failure:
        checks.run(_leaves_a_task())  # run() fails in no_leftovers()
    text = explain(failure.value)
    assert "forgotten" in text and "What the check expected: nothing left running" in text


def test_explain_uses_the_cells_own_timeline_for_a_plain_assert():
    timeline = checks.run(_leaves_a_task(), leftovers="allow")
    assert explain(AssertionError("wrong result"), cell_timeline=timeline).startswith("What your code did:\n1.000 s")


def test_explain_counts_the_steps_of_a_huge_run_instead_of_drawing_them():
    async def spin(steps: int) -> None:
        for _ in range(steps):
            await asyncio.sleep(0)

    from helpers._feedback import MAX_STEPS_DRAWN

    timeline = checks.run(spin(MAX_STEPS_DRAWN + 10))
    text = explain(AssertionError("wrong"), cell_timeline=timeline)
    assert text == (
        f"What your code did:\n{timeline.step_count:,} steps: too many to draw here; the message above says what "
        "they were."
    )
    assert explain(AssertionError("wrong"), cell_timeline=checks.run(spin(10))).startswith(
        "What your code did:\n0.000 s"
    )
