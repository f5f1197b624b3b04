# Another style: the course's checks (took_about, no_leftovers through checks.run), with loop.time() read inside
# the program instead of the timeline's duration.
# alternative ex14_2_passes_on_the_right_one ex14_2_catches_each_bug
# %% replace ex14_2_check_fetch_or_default
def check_fetch_or_default(fetch_or_default):
    async def timed(seconds_needed, limit):
        loop = asyncio.get_running_loop()
        began = loop.time()
        result = await fetch_or_default(fetch_taking(seconds_needed, "data"), limit, "none")
        return result, loop.time() - began

    for start in (0, 321.75):
        timeline = checks.run(timed(1.5, 3), start=start)
        result, took = timeline.result
        assert result == "data" and abs(took - 1.5) < 1e-6, timeline.result
        timeline = checks.run(timed(3600, 3), start=start)
        result, took = timeline.result
        assert result == "none", result
        checks.took_about(timeline, 3)
