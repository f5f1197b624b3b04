# Checks what comes back, at a clock that does not start at 0, but never when: the version that waits for the slow
# fetch before giving up returns the right value, 55 s late.
# expect ex14_2_catches_each_bug 0
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    quick = helpers.trace(fetch_or_default(fetch_taking(2, "data"), 5, "none"), start=1000)
    assert quick.result == "data", quick.result
    slow = helpers.trace(fetch_or_default(fetch_taking(60, "data"), 5, "none"), start=1000)
    assert slow.result == "none", slow.result
