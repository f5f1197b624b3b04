# Treats anything awaitable as a coroutine: a task or a future is awaitable, but is not a coroutine object.
# expect ex2_1_coroutine_objects 0
# %% replace ex2_1_describe
def describe(obj):
    if inspect.iscoroutinefunction(obj):
        return "coroutine function"
    if inspect.isawaitable(obj):
        return "coroutine"
    return "other"
