# Tests every promise, but only on a clock that starts at 0: the version that passes a delay where a deadline
# belongs (timeout_at) gets through.
# expect ex14_2_catches_each_bug 0
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    quick = helpers.trace(fetch_or_default(fetch_taking(2, "data"), 5, "none"))
    assert quick.result == "data"
    assert abs(quick.duration - 2) < 1e-6
    slow = helpers.trace(fetch_or_default(fetch_taking(60, "data"), 5, "none"))
    assert slow.result == "none"
    assert abs(slow.duration - 5) < 1e-6
    assert not slow.leftovers
