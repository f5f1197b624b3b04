# Believes a coroutine is any object with send() (a generator, then, too).
# expect ex2_1_coroutine_objects 0
# %% replace ex2_1_describe
def describe(obj):
    if inspect.iscoroutinefunction(obj):
        return "coroutine function"
    if hasattr(obj, "send") and hasattr(obj, "throw"):
        return "coroutine"
    return "other"
