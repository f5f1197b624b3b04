/* helpers._speedups, the part that reads CPython's internal headers: where the interpreter
 * keeps the young generation's allocation count (gc.get_count()[0]).
 *
 * The step-recording wrappers are the only objects a recording keeps per task. Counted as
 * allocations, 10,000 of them move the program's garbage collections (10,000 tasks: 13 more
 * young collections and one full collection more than under asyncio.run). _speedups.c takes each
 * wrapper out of that count, so collections fall where they would without recording.
 *
 * Only the offset is taken from the internal headers (no internal function is called). It is
 * known for the generational collector of CPython 3.11-3.13 with the GIL; elsewhere it is -1 and
 * wrappers count like any object.
 */

#define PY_SSIZE_T_CLEAN
#include <pyconfig.h>
#include <patchlevel.h>

#if !defined(Py_GIL_DISABLED) && PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
#define YOUNG_COUNT_KNOWN 1
#define Py_BUILD_CORE 1
#endif

#include <Python.h>
#include <stddef.h>

#ifdef YOUNG_COUNT_KNOWN
#include "internal/pycore_interp.h"
const Py_ssize_t helpers_young_count_offset = (Py_ssize_t)offsetof(PyInterpreterState, gc.generations[0].count);
#else
const Py_ssize_t helpers_young_count_offset = -1;
#endif
