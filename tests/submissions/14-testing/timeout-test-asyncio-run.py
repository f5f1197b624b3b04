# Calls the function at the top of the check with asyncio.run: in a notebook cell a loop is already running, so it
# raises RuntimeError on the right version too.
# expect ex14_2_passes_on_the_right_one 0
# expect ex14_2_catches_each_bug 0
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    result = asyncio.run(fetch_or_default(fetch_taking(60), 5, "none"))
    assert result == "none"
