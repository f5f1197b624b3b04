# Takes anything callable for a coroutine function, and anything with send() for a coroutine:
# a plain function that returns a coroutine, and a generator, are then misclassified.
# expect ex2_1_coroutine_functions 0
# expect ex2_1_coroutine_objects 0
# %% replace ex2_1_describe
def describe(obj):
    if callable(obj):
        return "coroutine function"
    if hasattr(obj, "send"):
        return "coroutine"
    return "other"
