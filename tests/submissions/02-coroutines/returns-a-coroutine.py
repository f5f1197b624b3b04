# Counts any Python function as a coroutine function, so a plain def that returns a coroutine passes for one.
# expect ex2_1_coroutine_functions 0
# %% replace ex2_1_describe
def describe(obj):
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return "coroutine function"
    if inspect.iscoroutine(obj):
        return "coroutine"
    return "other"
