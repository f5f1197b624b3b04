# Tests on the real clock (virtual=False): right, but it waits for the 5 s limit for real, every time it runs.
# (It checks only that the real run took at least 5 s: an upper bound would fail when the grading machine is
# busy, and this fixture must lose the point for speed only, not for a flaky check.)
# expect ex14_2_passes_on_the_right_one 0
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    for start in (0, 1000):
        quick = helpers.trace(fetch_or_default(fetch_taking(2, "data"), 5, "none"), start=start)
        assert quick.result == "data" and abs(quick.duration - 2) < 1e-6
        assert not quick.leftovers
    slow = helpers.trace(fetch_or_default(fetch_taking(60, "data"), 5, "none"), start=1000)
    assert slow.result == "none" and abs(slow.duration - 5) < 1e-6 and not slow.leftovers
    real = helpers.trace(fetch_or_default(fetch_taking(60, "data"), 5, "none"), virtual=False)
    assert real.result == "none"
    assert real.duration >= 4.9, real.duration  # no upper bound: a loaded grader is late, never early
