# Valid: reads the compiler's CO_COROUTINE flag and the coroutine type instead of inspect's predicates.
# alternative ex2_1_coroutine_functions ex2_1_coroutine_objects
# %% replace ex2_1_describe
import types


def describe(obj):
    code = getattr(obj, "__code__", None)
    if code is not None and code.co_flags & inspect.CO_COROUTINE:
        return "coroutine function"
    if isinstance(obj, types.CoroutineType):
        return "coroutine"
    return "other"
