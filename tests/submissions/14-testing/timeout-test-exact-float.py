# Compares times with == at a clock that starts at 1000.1: float rounding makes the right version fail (and a
# check that fails on the right version catches nothing).
# expect ex14_2_passes_on_the_right_one 0
# expect ex14_2_catches_each_bug 0
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    quick = helpers.trace(fetch_or_default(fetch_taking(0.2, "data"), 0.5, "none"), start=1000.1)
    assert quick.result == "data"
    assert quick.duration == 0.2, quick.duration
    slow = helpers.trace(fetch_or_default(fetch_taking(60, "data"), 0.5, "none"), start=1000.1)
    assert slow.result == "none"
    assert slow.duration == 0.5, slow.duration
    assert not slow.leftovers
