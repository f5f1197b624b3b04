/* helpers._speedups: the step-recording coroutine wrapper in C.
 *
 * Optional accelerator for helpers/_recorder.py; the pure-Python wrapper there is the
 * reference (and the fallback when this module does not build or HELPERS_PURE_PYTHON=1).
 * Both record the same steps: three doubles per step (start, end, code) and, on
 * virtual time, the wall seconds of steps that took at least the threshold.
 *
 * Why C: the C asyncio.Task drives its coroutine with PyIter_Send(). A Python class
 * gets there through tp_iternext, one Python frame per step; this type fills
 * tp_as_async->am_send, so a step costs two clock reads and three stores. Rare paths
 * (a step that yields a future, the last step, a cancellation) call back into Python.
 * C functions add no traceback entries, so exceptions pass through as they were raised.
 *
 * Types:
 *   StepBuffer             growable array of doubles: len(), b[i], b[i:j:k] -> array('d'),
 *                          the buffer protocol (format 'd') once recording has stopped.
 *   StepRecorder           one recording: the buffer, the clock and the Python callbacks;
 *                          wrap(coro, task_index) makes a wrapper, stop() ends recording.
 *   StepRecordingCoroutine the wrapper; one type for every recording (`w._recording` is its
 *                          StepRecorder), so asyncio's iscoroutine() type caches, which keep
 *                          at most 100 types, see one type however many recordings a process makes.
 *   WaitLabels             labels already worked out by _labels.describe_wait, found again from the
 *                          await chain without Python (the commonest waits: Queue.get, Lock.acquire,
 *                          sleep(1)); anything it has not been taught gives None and Python decides.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <time.h>

#if defined(__linux__) && defined(CLOCK_MONOTONIC)
/* time.monotonic() and time.perf_counter() are clock_gettime(CLOCK_MONOTONIC) on Linux */
#define HAVE_C_MONOTONIC 1
#else
#define HAVE_C_MONOTONIC 0
#endif

static PyObject *array_type;        /* array.array */
static PyObject *stop_none;  /* StopIteration() with value None, shared by finish() calls */
static PyObject *cancelled_error;   /* asyncio.CancelledError */
static PyObject *perf_counter;      /* time.perf_counter, where there is no C clock */
static PyObject *str_vtime;
static PyObject *str_throw;
static PyObject *str_close;
static PyObject *str_cr_suspended;
static PyObject *str_cr_await;
static PyObject *str_cr_code;
static PyObject *str_cr_frame;

/* What _recorder.py expects (SPEEDUPS_API there): raise both when the interface between them changes, so
 * a module built from older sources (an editable install not rebuilt after a pull) is not used. */
#define HELPERS_SPEEDUPS_API 3

/* gc.get_count()[0] of this interpreter, or NULL where its place is not known (_speedups_gc.c) */
extern const Py_ssize_t helpers_young_count_offset;
static int *young_count;

/* ------------------------------------------------------------------ helpers */

#if PY_VERSION_HEX >= 0x030C0000
static PyObject *
fetch_exception(void)
{
    return PyErr_GetRaisedException();
}

static void
restore_exception(PyObject *exc)
{
    PyErr_SetRaisedException(exc);
}
#else
static PyObject *
fetch_exception(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
        Py_DECREF(tb);
    }
    Py_DECREF(type);
    return value;
}

static void
restore_exception(PyObject *exc)
{
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc));
}
#endif

#if HAVE_C_MONOTONIC
static inline double
monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* the same rounding as CPython's _PyTime_AsSecondsDouble, so values equal time.monotonic() */
    int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    volatile double d;
    if (ns % 1000000000 == 0) {
        d = (double)(ns / 1000000000);
    }
    else {
        d = (double)ns;
        d /= 1e9;
    }
    return d;
}
#endif

/* Call a clock (a callable returning a float). Returns -1 with an exception set on error. */
static int
call_clock(PyObject *clock, double *out)
{
    PyObject *value = PyObject_CallNoArgs(clock);
    if (value == NULL) {
        return -1;
    }
    *out = PyFloat_AsDouble(value);
    Py_DECREF(value);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* Call a callback the recorder may drop while it runs (stop() clears them). */
static PyObject *
call_held(PyObject *callable, PyObject *const *args, size_t nargs)
{
    Py_INCREF(callable);
    PyObject *result = PyObject_Vectorcall(callable, args, nargs, NULL);
    Py_DECREF(callable);
    return result;
}

static int
set_stop_iteration(PyObject *value)
{
    if (value == Py_None) {
        PyErr_SetNone(PyExc_StopIteration);
        return 0;
    }
    /* an instance, so a tuple or an exception value is not taken for constructor arguments */
    PyObject *exc = PyObject_CallOneArg(PyExc_StopIteration, value);
    if (exc == NULL) {
        return -1;
    }
    PyErr_SetObject(PyExc_StopIteration, exc);
    Py_DECREF(exc);
    return 0;
}

/* ---------------------------------------------------------------- StepBuffer */

typedef struct {
    PyObject_HEAD
    double *data;
    Py_ssize_t len;       /* doubles in use */
    Py_ssize_t cap;       /* doubles allocated */
    Py_ssize_t exports;   /* live buffer-protocol views */
    int frozen;           /* recording has ended: no more appends, views allowed */
} StepBuffer;

static PyTypeObject StepBuffer_Type;

static int
buffer_grow(StepBuffer *self, Py_ssize_t need)
{
    /* about 1/8 spare, like list and array: a million steps cost 24 MB, not 32 or 48 */
    Py_ssize_t cap = need + (need >> 3) + 3 * 1024;
    if ((size_t)cap > PY_SSIZE_T_MAX / sizeof(double)) {
        PyErr_NoMemory();
        return -1;
    }
    double *data = PyMem_Realloc(self->data, (size_t)cap * sizeof(double));
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->data = data;
    self->cap = cap;
    return 0;
}

static inline int
buffer_append3(StepBuffer *self, double a, double b, double c)
{
    if (self->len + 3 > self->cap && buffer_grow(self, self->len + 3) < 0) {
        return -1;
    }
    double *p = self->data + self->len;
    p[0] = a;
    p[1] = b;
    p[2] = c;
    self->len += 3;
    return 0;
}

static void
buffer_freeze(StepBuffer *self)
{
    if (self->frozen) {
        return;
    }
    self->frozen = 1;
    if (self->cap > self->len && self->exports == 0) {
        size_t size = (size_t)(self->len ? self->len : 1) * sizeof(double);
        double *data = PyMem_Realloc(self->data, size);
        if (data != NULL) {
            self->data = data;
            self->cap = self->len ? self->len : 1;
        }
    }
}

static void
StepBuffer_dealloc(StepBuffer *self)
{
    PyMem_Free(self->data);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t
StepBuffer_length(StepBuffer *self)
{
    return self->len;
}

static PyObject *
StepBuffer_item(StepBuffer *self, Py_ssize_t i)
{
    if (i < 0 || i >= self->len) {
        PyErr_SetString(PyExc_IndexError, "step buffer index out of range");
        return NULL;
    }
    return PyFloat_FromDouble(self->data[i]);
}

/* self[start:stop:step] as an array('d'), as array slicing gives */
static PyObject *
StepBuffer_slice(StepBuffer *self, PyObject *slice)
{
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(slice, &start, &stop, &step) < 0) {
        return NULL;
    }
    Py_ssize_t n = PySlice_AdjustIndices(self->len, &start, &stop, step);
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (bytes == NULL) {
        return NULL;
    }
    double *out = (double *)PyBytes_AS_STRING(bytes);
    for (Py_ssize_t k = 0, i = start; k < n; k++, i += step) {
        out[k] = self->data[i];
    }
    PyObject *result = PyObject_CallFunction(array_type, "sO", "d", bytes);
    Py_DECREF(bytes);
    return result;
}

static PyObject *
StepBuffer_subscript(StepBuffer *self, PyObject *key)
{
    if (PySlice_Check(key)) {
        return StepBuffer_slice(self, key);
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (i < 0) {
        i += self->len;
    }
    return StepBuffer_item(self, i);
}

static int
StepBuffer_getbuffer(StepBuffer *self, Py_buffer *view, int flags)
{
    static double empty[1];
    if (!self->frozen) {
        /* a view would pin the memory that appends may move */
        PyErr_SetString(PyExc_BufferError, "steps are still being recorded");
        view->obj = NULL;
        return -1;
    }
    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "recorded steps are read-only");
        view->obj = NULL;
        return -1;
    }
    /* laid out as array('d') lays out its buffer */
    view->buf = self->data != NULL ? (void *)self->data : (void *)empty;
    view->obj = Py_NewRef(self);
    view->len = self->len * (Py_ssize_t)sizeof(double);
    view->readonly = 1;
    view->ndim = 1;
    view->itemsize = sizeof(double);
    view->format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? "d" : NULL;
    view->shape = (flags & PyBUF_ND) == PyBUF_ND ? &self->len : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &view->itemsize : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    self->exports++;
    return 0;
}

static void
StepBuffer_releasebuffer(StepBuffer *self, Py_buffer *view)
{
    self->exports--;
}

static PyObject *
StepBuffer_tolist(StepBuffer *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *list = PyList_New(self->len);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < self->len; i++) {
        PyObject *x = PyFloat_FromDouble(self->data[i]);
        if (x == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, x);
    }
    return list;
}

static PyObject *
StepBuffer_reduce(StepBuffer *self, PyObject *Py_UNUSED(ignored))
{
    /* pickles as the array('d') it stands for */
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)self->data, self->len * (Py_ssize_t)sizeof(double));
    if (bytes == NULL) {
        return NULL;
    }
    return Py_BuildValue("O(sN)", array_type, "d", bytes);
}

static PyObject *
StepBuffer_repr(StepBuffer *self)
{
    return PyUnicode_FromFormat("<StepBuffer of %zd doubles%s>", self->len, self->frozen ? "" : ", recording");
}

static PyObject *
StepBuffer_get_typecode(StepBuffer *self, void *Py_UNUSED(closure))
{
    return PyUnicode_FromString("d");
}

static PyObject *
StepBuffer_get_itemsize(StepBuffer *self, void *Py_UNUSED(closure))
{
    return PyLong_FromLong((long)sizeof(double));
}

static PySequenceMethods StepBuffer_as_sequence = {
    .sq_length = (lenfunc)StepBuffer_length,
    .sq_item = (ssizeargfunc)StepBuffer_item,
};

static PyMappingMethods StepBuffer_as_mapping = {
    .mp_length = (lenfunc)StepBuffer_length,
    .mp_subscript = (binaryfunc)StepBuffer_subscript,
};

static PyBufferProcs StepBuffer_as_buffer = {
    .bf_getbuffer = (getbufferproc)StepBuffer_getbuffer,
    .bf_releasebuffer = (releasebufferproc)StepBuffer_releasebuffer,
};

static PyMethodDef StepBuffer_methods[] = {
    {"tolist", (PyCFunction)StepBuffer_tolist, METH_NOARGS, "The values as a list of floats."},
    {"__reduce__", (PyCFunction)StepBuffer_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef StepBuffer_getset[] = {
    {"typecode", (getter)StepBuffer_get_typecode, NULL, "'d', as for array('d').", NULL},
    {"itemsize", (getter)StepBuffer_get_itemsize, NULL, "8, as for array('d').", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject StepBuffer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "helpers._speedups.StepBuffer",
    .tp_doc = "Recorded doubles: len(), indexing, slicing to array('d'); a buffer once recording stops.",
    .tp_basicsize = sizeof(StepBuffer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)StepBuffer_dealloc,
    .tp_repr = (reprfunc)StepBuffer_repr,
    .tp_as_sequence = &StepBuffer_as_sequence,
    .tp_as_mapping = &StepBuffer_as_mapping,
    .tp_as_buffer = &StepBuffer_as_buffer,
    .tp_methods = StepBuffer_methods,
    .tp_getset = StepBuffer_getset,
};

/* -------------------------------------------------------------- StepRecorder */

typedef struct {
    PyObject_HEAD
    StepBuffer *steps;
    PyObject *loop;           /* virtual time: read loop._vtime */
    PyObject *loop_dict;      /* virtual time: the loop's __dict__, where _vtime lives */
    PyObject *now;            /* real time: the clock to call, or NULL for C time.monotonic */
    PyObject *code_for;       /* code_for(task_index, yielded, coro) -> float */
    PyObject *finish;         /* finish(task_index, end, exc) */
    PyObject *note_cancel;    /* note_cancel(task_index) */
    PyObject *walls;          /* dict: step index -> wall seconds */
    double sleep0_slot;
    double threshold;
    int virtual;
    int active;
} StepRecorder;

typedef struct {
    PyObject_HEAD
    PyObject *coro;
    StepRecorder *recorder;
    Py_ssize_t task_index;
    double sleep0_code;
    PyObject *weakreflist;
} Wrapper;

static PyTypeObject StepRecorder_Type;
static PyTypeObject Wrapper_Type;

static inline int
wall_now(double *out)
{
#if HAVE_C_MONOTONIC
    *out = monotonic_seconds();
    return 0;
#else
    return call_clock(perf_counter, out);
#endif
}

static inline int
loop_now(StepRecorder *r, double *out)
{
    if (r->virtual) {
        /* loop._vtime, read from the loop's __dict__ without the attribute lookup: twice a step */
        PyObject *value = PyDict_GetItemWithError(r->loop_dict, str_vtime);
        if (value != NULL && PyFloat_CheckExact(value)) {
            *out = PyFloat_AS_DOUBLE(value);
            return 0;
        }
        if (value == NULL && PyErr_Occurred()) {
            return -1;
        }
        value = PyObject_GetAttr(r->loop, str_vtime);
        if (value == NULL) {
            return -1;
        }
        *out = PyFloat_AsDouble(value);
        Py_DECREF(value);
        return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
    }
#if HAVE_C_MONOTONIC
    if (r->now == NULL) {
        *out = monotonic_seconds();
        return 0;
    }
#endif
    return call_clock(r->now, out);
}

/* Store a finished step, noting its wall time on virtual time. */
static int
record(StepRecorder *r, double start, double end, double code, double wall)
{
    if (!r->active) {
        return 0;
    }
    if (buffer_append3(r->steps, start, end, code) < 0) {
        return -1;
    }
    if (r->virtual && wall >= r->threshold) {
        PyObject *key = PyLong_FromSsize_t(r->steps->len / 3 - 1);
        PyObject *value = PyFloat_FromDouble(wall);
        int rc = (key == NULL || value == NULL) ? -1 : PyDict_SetItem(r->walls, key, value);
        Py_XDECREF(key);
        Py_XDECREF(value);
        return rc;
    }
    return 0;
}

static int
step_begin(StepRecorder *r, double *t0, double *w0)
{
    if (loop_now(r, t0) < 0) {
        return -1;
    }
    *w0 = 0.0;
    return r->virtual ? wall_now(w0) : 0;
}

/* After the coroutine ran: record the step, or the last step and the task's outcome.
 * `status` and `*result` are what the coroutine gave; the same go back to the caller. */
static PySendResult
step_end(Wrapper *self, PySendResult status, PyObject **result, double t0, double w0)
{
    StepRecorder *r = self->recorder;
    double t1, wall = 0.0;
    if (!r->active) {
        return status;  /* recording stopped during this step (a tracing() block ended in it) */
    }
    if (status == PYGEN_NEXT) {
        if (r->virtual && wall_now(&wall) < 0) {
            goto error_with_result;
        }
        wall -= w0;
        if (loop_now(r, &t1) < 0) {
            goto error_with_result;
        }
        double code;
        if (*result == Py_None) {
            code = self->sleep0_code;
        }
        else {
            PyObject *index = PyLong_FromSsize_t(self->task_index);
            if (index == NULL) {
                goto error_with_result;
            }
            PyObject *args[3] = {index, *result, self->coro};
            PyObject *value = call_held(r->code_for, args, 3);
            Py_DECREF(index);
            if (value == NULL) {
                goto error_with_result;
            }
            code = PyFloat_AsDouble(value);
            Py_DECREF(value);
            if (code == -1.0 && PyErr_Occurred()) {
                goto error_with_result;
            }
        }
        if (record(r, t0, t1, code, wall) < 0) {
            goto error_with_result;
        }
        return PYGEN_NEXT;
    }

    /* the last step: the coroutine returned (status RETURN) or raised (ERROR) */
    PyObject *exc;
    if (status == PYGEN_RETURN && *result == Py_None) {
        exc = Py_NewRef(stop_none);  /* most tasks return None: no new exception object each */
    }
    else if (status == PYGEN_RETURN) {
        exc = PyObject_CallOneArg(PyExc_StopIteration, *result);
        if (exc == NULL) {
            goto error_with_result;
        }
    }
    else {
        exc = fetch_exception();
        if (exc == NULL) {
            return PYGEN_ERROR;  /* an error without an exception: nothing to record */
        }
    }
    if (r->virtual && wall_now(&wall) < 0) {
        goto error_with_exc;
    }
    wall -= w0;
    if (loop_now(r, &t1) < 0) {
        goto error_with_exc;
    }
    if (record(r, t0, t1, (double)self->task_index, wall) < 0) {
        goto error_with_exc;
    }
    PyObject *index = PyLong_FromSsize_t(self->task_index);
    PyObject *end = PyFloat_FromDouble(t1);
    PyObject *done = NULL;
    if (index != NULL && end != NULL) {
        PyObject *args[3] = {index, end, exc};
        done = call_held(r->finish, args, 3);
    }
    Py_XDECREF(index);
    Py_XDECREF(end);
    if (done == NULL) {
        goto error_with_exc;
    }
    Py_DECREF(done);
    if (status == PYGEN_RETURN) {
        Py_DECREF(exc);
        return PYGEN_RETURN;
    }
    restore_exception(exc);
    return PYGEN_ERROR;

error_with_exc:
    /* recording failed: that error goes out, chained to the coroutine's own */
    if (status == PYGEN_ERROR) {
        PyObject *failure = fetch_exception();
        if (failure != NULL) {
            PyException_SetContext(failure, exc);  /* steals exc */
            restore_exception(failure);
        }
        else {
            restore_exception(exc);
        }
        return PYGEN_ERROR;
    }
    Py_DECREF(exc);
error_with_result:
    if (status != PYGEN_ERROR) {
        Py_CLEAR(*result);
    }
    return PYGEN_ERROR;
}

/* ------------------------------------------------------------------ Wrapper */

static PySendResult
Wrapper_am_send(Wrapper *self, PyObject *arg, PyObject **result)
{
    if (!self->recorder->active) {
        return PyIter_Send(self->coro, arg, result);
    }
    double t0, w0;
    if (step_begin(self->recorder, &t0, &w0) < 0) {
        *result = NULL;
        return PYGEN_ERROR;
    }
    PySendResult status = PyIter_Send(self->coro, arg, result);
    return step_end(self, status, result, t0, w0);
}

static PyObject *
Wrapper_iternext(Wrapper *self)
{
    PyObject *result;
    PySendResult status = Wrapper_am_send(self, Py_None, &result);
    if (status == PYGEN_NEXT) {
        return result;
    }
    if (status == PYGEN_RETURN) {
        if (result != Py_None) {
            set_stop_iteration(result);
        }
        Py_DECREF(result);
    }
    return NULL;
}

static PyObject *
Wrapper_send(Wrapper *self, PyObject *arg)
{
    PyObject *result;
    PySendResult status = Wrapper_am_send(self, arg, &result);
    if (status == PYGEN_NEXT) {
        return result;
    }
    if (status == PYGEN_RETURN) {
        set_stop_iteration(result);
        Py_DECREF(result);
    }
    return NULL;
}

/* coro.throw(typ) or, for the old signature, coro.throw(typ, val, tb) */
static PyObject *
throw_into(PyObject *coro, PyObject *typ, PyObject *val, PyObject *tb)
{
    if (val == Py_None && tb == Py_None) {
        return PyObject_CallMethodOneArg(coro, str_throw, typ);
    }
    PyObject *call[4] = {coro, typ, val, tb};
    return PyObject_VectorcallMethod(str_throw, call, 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

static PyObject *
Wrapper_throw(Wrapper *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 3) {
        PyErr_Format(PyExc_TypeError, "throw expected 1 to 3 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *typ = args[0];
    PyObject *val = nargs > 1 ? args[1] : Py_None;
    PyObject *tb = nargs > 2 ? args[2] : Py_None;
    StepRecorder *r = self->recorder;
    if (!r->active) {
        return throw_into(self->coro, typ, val, tb);
    }
    PyObject *exc = PyExceptionInstance_Check(typ) ? typ : val;
    int cancelling = typ == cancelled_error;
    if (!cancelling) {
        cancelling = PyObject_IsInstance(exc, cancelled_error);
        if (cancelling < 0) {
            return NULL;
        }
    }
    if (cancelling) {
        PyObject *index = PyLong_FromSsize_t(self->task_index);
        if (index == NULL) {
            return NULL;
        }
        PyObject *noted = call_held(r->note_cancel, &index, 1);
        Py_DECREF(index);
        if (noted == NULL) {
            return NULL;
        }
        Py_DECREF(noted);
    }
    double t0, w0;
    if (step_begin(r, &t0, &w0) < 0) {
        return NULL;
    }
    PyObject *result = throw_into(self->coro, typ, val, tb);
    PySendResult status = step_end(self, result != NULL ? PYGEN_NEXT : PYGEN_ERROR, &result, t0, w0);
    return status == PYGEN_NEXT ? result : NULL;
}

static PyObject *
Wrapper_close(Wrapper *self, PyObject *Py_UNUSED(ignored))
{
    return PyObject_CallMethodNoArgs(self->coro, str_close);
}

static PyObject *
Wrapper_self(PyObject *self)
{
    return Py_NewRef(self);
}

static PyObject *
Wrapper_repr(Wrapper *self)
{
    return PyObject_Repr(self->coro);
}

/* Attributes not found on the wrapper are the coroutine's (__qualname__, __name__, ...). */
static PyObject *
Wrapper_getattro(Wrapper *self, PyObject *name)
{
    PyObject *value = PyObject_GenericGetAttr((PyObject *)self, name);
    if (value != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) {
        return value;
    }
    PyErr_Clear();
    return PyObject_GetAttr(self->coro, name);
}

static PyObject *
Wrapper_forward(Wrapper *self, void *closure)
{
    return PyObject_GetAttrString(self->coro, (const char *)closure);
}

static PyObject *
Wrapper_cr_suspended(Wrapper *self, void *Py_UNUSED(closure))
{
    /* 3.12 added cr_suspended; before, None, as the Python wrapper says */
    PyObject *value = PyObject_GetAttr(self->coro, str_cr_suspended);
    if (value == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        value = Py_NewRef(Py_None);
    }
    return value;
}

static int
Wrapper_traverse(Wrapper *self, visitproc visit, void *arg)
{
    Py_VISIT(self->coro);
    Py_VISIT(self->recorder);
    return 0;
}

static int
Wrapper_clear(Wrapper *self)
{
    Py_CLEAR(self->coro);
    Py_CLEAR(self->recorder);
    return 0;
}

static void
Wrapper_dealloc(Wrapper *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Wrapper_clear(self);
    if (young_count == NULL) {
        Py_TYPE(self)->tp_free((PyObject *)self);
        return;
    }
    /* freeing lowers the count: undo that, as wrap() never raised it */
    int count = *young_count;
    Py_TYPE(self)->tp_free((PyObject *)self);
    *young_count = count;
}

static PyAsyncMethods Wrapper_as_async = {
    .am_await = (unaryfunc)Wrapper_self,
    .am_send = (sendfunc)Wrapper_am_send,
};

static PyMethodDef Wrapper_methods[] = {
    {"send", (PyCFunction)Wrapper_send, METH_O, "Run one step, sending a value in; one recorded step."},
    {"throw", (PyCFunction)(void (*)(void))Wrapper_throw, METH_FASTCALL,
     "throw(exc) or throw(type, value, traceback): raise in the coroutine; one recorded step."},
    {"close", (PyCFunction)Wrapper_close, METH_NOARGS, "Close the coroutine."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Wrapper_members[] = {
    {"_coro", T_OBJECT_EX, offsetof(Wrapper, coro), READONLY, "The wrapped coroutine."},
    {"_task_index", T_PYSSIZET, offsetof(Wrapper, task_index), READONLY, "The task's index in the recording."},
    {"_recording", T_OBJECT, offsetof(Wrapper, recorder), READONLY, "The StepRecorder of the recording."},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef Wrapper_getset[] = {
    {"cr_frame", (getter)Wrapper_forward, NULL, NULL, "cr_frame"},
    {"cr_code", (getter)Wrapper_forward, NULL, NULL, "cr_code"},
    {"cr_await", (getter)Wrapper_forward, NULL, NULL, "cr_await"},
    {"cr_running", (getter)Wrapper_forward, NULL, NULL, "cr_running"},
    {"cr_suspended", (getter)Wrapper_cr_suspended, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Wrapper_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "helpers._speedups.StepRecordingCoroutine",
    .tp_doc = "Drives a coroutine for a Task, one recorded step per send/throw (made by StepRecorder.wrap).",
    .tp_basicsize = sizeof(Wrapper),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_dealloc = (destructor)Wrapper_dealloc,
    .tp_traverse = (traverseproc)Wrapper_traverse,
    .tp_clear = (inquiry)Wrapper_clear,
    .tp_repr = (reprfunc)Wrapper_repr,
    .tp_getattro = (getattrofunc)Wrapper_getattro,
    .tp_as_async = &Wrapper_as_async,
    .tp_iter = (getiterfunc)Wrapper_self,
    .tp_iternext = (iternextfunc)Wrapper_iternext,
    .tp_weaklistoffset = offsetof(Wrapper, weakreflist),
    .tp_methods = Wrapper_methods,
    .tp_members = Wrapper_members,
    .tp_getset = Wrapper_getset,
};

/* ------------------------------------------------------ StepRecorder methods */

static PyObject *
StepRecorder_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"loop", "virtual", "now", "code_for", "finish", "note_cancel",
                             "walls", "sleep0_slot", "threshold", NULL};
    PyObject *loop, *now, *code_for, *finish, *note_cancel, *walls;
    int virtual;
    double sleep0_slot, threshold;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "$OpOOOOO!dd:StepRecorder", kwlist, &loop, &virtual, &now,
                                     &code_for, &finish, &note_cancel, &PyDict_Type, &walls, &sleep0_slot,
                                     &threshold)) {
        return NULL;
    }
    PyObject *loop_dict = NULL;
    if (virtual) {
        loop_dict = PyObject_GenericGetDict(loop, NULL);
        if (loop_dict == NULL) {
            return NULL;
        }
    }
    if (!PyCallable_Check(code_for) || !PyCallable_Check(finish) || !PyCallable_Check(note_cancel) ||
        (now != Py_None && !PyCallable_Check(now))) {
        PyErr_SetString(PyExc_TypeError, "now, code_for, finish and note_cancel must be callable");
        return NULL;
    }
#if !HAVE_C_MONOTONIC
    if (now == Py_None && !virtual) {
        PyErr_SetString(PyExc_ValueError, "no C monotonic clock here: pass now=time.monotonic");
        return NULL;
    }
#endif
    StepRecorder *self = (StepRecorder *)type->tp_alloc(type, 0);
    if (self == NULL) {
        Py_XDECREF(loop_dict);
        return NULL;
    }
    self->loop_dict = loop_dict;
    self->steps = PyObject_New(StepBuffer, &StepBuffer_Type);
    if (self->steps == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->steps->data = NULL;
    self->steps->len = self->steps->cap = self->steps->exports = 0;
    self->steps->frozen = 0;
    self->loop = Py_NewRef(loop);
    self->now = now == Py_None ? NULL : Py_NewRef(now);
    self->code_for = Py_NewRef(code_for);
    self->finish = Py_NewRef(finish);
    self->note_cancel = Py_NewRef(note_cancel);
    self->walls = Py_NewRef(walls);
    self->sleep0_slot = sleep0_slot;
    self->threshold = threshold;
    self->virtual = virtual;
    self->active = 1;
    return (PyObject *)self;
}

static PyObject *
StepRecorder_wrap(StepRecorder *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "wrap expected 2 arguments (coro, task_index), got %zd", nargs);
        return NULL;
    }
    Py_ssize_t index = PyNumber_AsSsize_t(args[1], PyExc_OverflowError);
    if (index == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* the allocation raises the young generation's count (and may collect on it): lower it first,
     * so the program's collections come when they would without this wrapper */
    if (young_count != NULL) {
        (*young_count)--;
    }
    Wrapper *w = PyObject_GC_New(Wrapper, &Wrapper_Type);
    if (w == NULL) {
        if (young_count != NULL) {
            (*young_count)++;
        }
        return NULL;
    }
    w->coro = Py_NewRef(args[0]);
    w->recorder = (StepRecorder *)Py_NewRef(self);
    w->task_index = index;
    w->sleep0_code = (double)index + self->sleep0_slot;
    w->weakreflist = NULL;
    PyObject_GC_Track(w);
    return (PyObject *)w;
}

static PyObject *
StepRecorder_stop(StepRecorder *self, PyObject *Py_UNUSED(ignored))
{
    self->active = 0;
    buffer_freeze(self->steps);
    /* wrappers only forward from now on: let go of the recording's callbacks */
    Py_CLEAR(self->code_for);
    Py_CLEAR(self->finish);
    Py_CLEAR(self->note_cancel);
    Py_CLEAR(self->walls);
    Py_RETURN_NONE;
}

static PyObject *
StepRecorder_loop_time(StepRecorder *self, PyObject *Py_UNUSED(ignored))
{
    double t;
    if (loop_now(self, &t) < 0) {
        return NULL;
    }
    return PyFloat_FromDouble(t);
}

static int
StepRecorder_traverse(StepRecorder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->loop);
    Py_VISIT(self->loop_dict);
    Py_VISIT(self->now);
    Py_VISIT(self->code_for);
    Py_VISIT(self->finish);
    Py_VISIT(self->note_cancel);
    Py_VISIT(self->walls);
    return 0;
}

static int
StepRecorder_clear(StepRecorder *self)
{
    Py_CLEAR(self->loop);
    Py_CLEAR(self->loop_dict);
    Py_CLEAR(self->now);
    Py_CLEAR(self->code_for);
    Py_CLEAR(self->finish);
    Py_CLEAR(self->note_cancel);
    Py_CLEAR(self->walls);
    return 0;
}

static void
StepRecorder_dealloc(StepRecorder *self)
{
    PyObject_GC_UnTrack(self);
    StepRecorder_clear(self);
    Py_CLEAR(self->steps);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef StepRecorder_methods[] = {
    {"wrap", (PyCFunction)(void (*)(void))StepRecorder_wrap, METH_FASTCALL,
     "wrap(coro, task_index): a StepRecordingCoroutine that records the coroutine's steps."},
    {"stop", (PyCFunction)StepRecorder_stop, METH_NOARGS,
     "Stop recording: wrappers only forward from now on; the buffer's size is fixed."},
    {"loop_time", (PyCFunction)StepRecorder_loop_time, METH_NOARGS, "The clock steps are timed on."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef StepRecorder_members[] = {
    {"steps", T_OBJECT_EX, offsetof(StepRecorder, steps), READONLY, "The StepBuffer: start, end, code per step."},
    {"active", T_INT, offsetof(StepRecorder, active), READONLY, "True until stop()."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject StepRecorder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "helpers._speedups.StepRecorder",
    .tp_doc = "StepRecorder(*, loop, virtual, now, code_for, finish, note_cancel, walls, "
              "sleep0_slot, threshold): the recording state shared by one recording's wrappers.",
    .tp_basicsize = sizeof(StepRecorder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = StepRecorder_new,
    .tp_dealloc = (destructor)StepRecorder_dealloc,
    .tp_traverse = (traverseproc)StepRecorder_traverse,
    .tp_clear = (inquiry)StepRecorder_clear,
    .tp_methods = StepRecorder_methods,
    .tp_members = StepRecorder_members,
};

/* ------------------------------------------------------------------ WaitLabels
 *
 * _labels.describe_wait names what a task waits on from the first frame of asyncio's own code in its
 * await chain: `Queue.get` from that frame's code and type(self), `sleep(0.5)` from sleep's `delay`.
 * Working that out in Python costs several microseconds a step; a step that waits on a queue or a lock
 * is common. Python teaches this type each label it works out for such a frame: the code, the local
 * the label depends on, and the local's type (methods) or value (sleep's delay) with the label. label()
 * walks the chain the same way (coroutines awaiting coroutines, the first frame whose file is in asyncio)
 * and gives the label back if it was taught that code with that key, else None (then Python decides).
 */

#define WAIT_CODES 64   /* asyncio coroutines taught; more are left to Python */
#define WAIT_KEYS 8     /* keys remembered per code, replaced in turn */

typedef struct {
    PyObject *code;
    PyObject *local;            /* the local's name: "self" or "delay" */
    int by_type;                /* key is type(local), else the local's value (an exact int or float) */
    int used, next;
    PyObject *keys[WAIT_KEYS];
    PyObject *labels[WAIT_KEYS];
} WaitEntry;

typedef struct {
    PyObject_HEAD
    PyObject *prefix;           /* asyncio's directory, with the separator */
    int count;
    WaitEntry entries[WAIT_CODES];
} WaitLabels;

static WaitEntry *
wait_entry(WaitLabels *self, PyObject *code)
{
    for (int i = 0; i < self->count; i++) {
        if (self->entries[i].code == code) {
            return &self->entries[i];
        }
    }
    return NULL;
}

static int
in_asyncio(WaitLabels *self, PyObject *code)
{
    PyObject *filename = ((PyCodeObject *)code)->co_filename;
    return PyUnicode_Check(filename) &&
           PyUnicode_Tailmatch(filename, self->prefix, 0, PY_SSIZE_T_MAX, -1) == 1;
}

/* the local `name` of a suspended coroutine, a new reference; NULL with no error if it has none */
static PyObject *
coroutine_local(PyObject *coro, PyObject *name)
{
    PyObject *frame = PyObject_GetAttr(coro, str_cr_frame);
    if (frame == NULL || frame == Py_None) {
        Py_XDECREF(frame);
        PyErr_Clear();
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *value = PyFrame_GetVar((PyFrameObject *)frame, name);
#else
    PyObject *value = NULL;
    PyObject *locals = PyFrame_GetLocals((PyFrameObject *)frame);
    if (locals != NULL) {
        value = PyObject_GetItem(locals, name);
        Py_DECREF(locals);
    }
#endif
    Py_DECREF(frame);
    if (value == NULL) {
        PyErr_Clear();
    }
    return value;
}

static int
is_number(PyObject *value)
{
    return PyFloat_CheckExact(value) || PyLong_CheckExact(value);
}

/* The taught label of what `coro` waits on, a new reference, or NULL (no error set) if not taught. */
static PyObject *
wait_label(WaitLabels *self, PyObject *coro)
{
    PyObject *current = Py_NewRef(coro);
    for (int depth = 0; depth < 100 && PyCoro_CheckExact(current); depth++) {
        PyObject *code = PyObject_GetAttr(current, str_cr_code);
        if (code == NULL || !PyCode_Check(code)) {
            Py_XDECREF(code);
            break;
        }
        if (in_asyncio(self, code)) {
            WaitEntry *entry = wait_entry(self, code);
            Py_DECREF(code);
            PyObject *value = entry == NULL ? NULL : coroutine_local(current, entry->local);
            Py_DECREF(current);
            if (value == NULL) {
                return NULL;
            }
            PyObject *found = NULL;
            if (entry->by_type) {
                for (int i = 0; i < entry->used && found == NULL; i++) {
                    if (entry->keys[i] == (PyObject *)Py_TYPE(value)) {
                        found = entry->labels[i];
                    }
                }
            }
            else if (is_number(value)) {
                for (int i = 0; i < entry->used && found == NULL; i++) {
                    if (Py_TYPE(entry->keys[i]) == Py_TYPE(value)) {
                        int same = PyObject_RichCompareBool(entry->keys[i], value, Py_EQ);
                        if (same < 0) {
                            PyErr_Clear();
                        }
                        else if (same) {
                            found = entry->labels[i];
                        }
                    }
                }
            }
            Py_DECREF(value);
            return found == NULL ? NULL : Py_NewRef(found);
        }
        Py_DECREF(code);
        PyObject *next = PyObject_GetAttr(current, str_cr_await);
        Py_DECREF(current);
        if (next == NULL) {
            PyErr_Clear();
            return NULL;
        }
        current = next;
    }
    Py_DECREF(current);
    return NULL;
}

static PyObject *
WaitLabels_label(WaitLabels *self, PyObject *coro)
{
    PyObject *label = wait_label(self, coro);
    return label == NULL ? Py_NewRef(Py_None) : label;
}

static PyObject *
WaitLabels_learn(WaitLabels *self, PyObject *args)
{
    PyObject *code, *local, *key, *label;
    int by_type;
    if (!PyArg_ParseTuple(args, "O!UpOU:learn", &PyCode_Type, &code, &local, &by_type, &key, &label)) {
        return NULL;
    }
    if (by_type ? !PyType_Check(key) : !is_number(key)) {
        PyErr_SetString(PyExc_TypeError, "the key is a type (by_type) or an exact int or float");
        return NULL;
    }
    if (!in_asyncio(self, code)) {
        PyErr_SetString(PyExc_ValueError, "only asyncio's own coroutines are taught");
        return NULL;
    }
    WaitEntry *entry = wait_entry(self, code);
    if (entry == NULL) {
        if (self->count == WAIT_CODES) {
            Py_RETURN_FALSE;
        }
        entry = &self->entries[self->count++];
        entry->code = Py_NewRef(code);
        entry->local = Py_NewRef(local);
        entry->by_type = by_type;
    }
    else if (entry->by_type != by_type || PyUnicode_Compare(entry->local, local) != 0) {
        PyErr_SetString(PyExc_ValueError, "this code was taught with another local");
        return NULL;
    }
    int slot;
    if (entry->used < WAIT_KEYS) {
        slot = entry->used++;
    }
    else {
        slot = entry->next;
        entry->next = (entry->next + 1) % WAIT_KEYS;
    }
    Py_XSETREF(entry->keys[slot], Py_NewRef(key));
    Py_XSETREF(entry->labels[slot], Py_NewRef(label));
    Py_RETURN_TRUE;
}

static PyObject *
WaitLabels_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"asyncio_dir", NULL};
    PyObject *prefix;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U:WaitLabels", kwlist, &prefix)) {
        return NULL;
    }
    WaitLabels *self = (WaitLabels *)type->tp_alloc(type, 0);
    if (self != NULL) {
        self->prefix = Py_NewRef(prefix);
    }
    return (PyObject *)self;
}

static void
WaitLabels_dealloc(WaitLabels *self)
{
    for (int i = 0; i < self->count; i++) {
        WaitEntry *entry = &self->entries[i];
        Py_CLEAR(entry->code);
        Py_CLEAR(entry->local);
        for (int k = 0; k < entry->used; k++) {
            Py_CLEAR(entry->keys[k]);
            Py_CLEAR(entry->labels[k]);
        }
    }
    Py_CLEAR(self->prefix);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef WaitLabels_methods[] = {
    {"label", (PyCFunction)WaitLabels_label, METH_O,
     "label(coro) -> the taught label of what coro waits on, or None"},
    {"learn", (PyCFunction)WaitLabels_learn, METH_VARARGS,
     "learn(code, local, by_type, key, label) -> whether it was kept (at most 64 codes)"},
    {NULL},
};

static PyTypeObject WaitLabels_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "helpers._speedups.WaitLabels",
    .tp_basicsize = sizeof(WaitLabels),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = WaitLabels_new,
    .tp_dealloc = (destructor)WaitLabels_dealloc,
    .tp_methods = WaitLabels_methods,
    .tp_doc = "WaitLabels(asyncio_dir): labels of waits in asyncio's coroutines, taught by _labels.describe_wait",
};

/* ------------------------------------------------------------------ module */

static PyObject *
import_attr(const char *module, const char *name)
{
    PyObject *mod = PyImport_ImportModule(module);
    if (mod == NULL) {
        return NULL;
    }
    PyObject *attr = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    return attr;
}

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "helpers._speedups",
    .m_doc = "C step-recording coroutine wrapper for helpers._recorder (optional).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&StepBuffer_Type) < 0 || PyType_Ready(&Wrapper_Type) < 0 ||
        PyType_Ready(&StepRecorder_Type) < 0 || PyType_Ready(&WaitLabels_Type) < 0) {
        return NULL;
    }
    stop_none = PyObject_CallNoArgs(PyExc_StopIteration);
    if (stop_none == NULL) {
        return NULL;
    }
    array_type = import_attr("array", "array");
    cancelled_error = import_attr("asyncio", "CancelledError");
    perf_counter = import_attr("time", "perf_counter");
    str_vtime = PyUnicode_InternFromString("_vtime");
    str_throw = PyUnicode_InternFromString("throw");
    str_close = PyUnicode_InternFromString("close");
    str_cr_suspended = PyUnicode_InternFromString("cr_suspended");
    str_cr_await = PyUnicode_InternFromString("cr_await");
    str_cr_code = PyUnicode_InternFromString("cr_code");
    str_cr_frame = PyUnicode_InternFromString("cr_frame");
    if (!array_type || !cancelled_error || !perf_counter || !str_vtime || !str_throw || !str_close ||
        !str_cr_suspended || !str_cr_await || !str_cr_code || !str_cr_frame) {
        return NULL;
    }
    if (helpers_young_count_offset >= 0) {
        young_count = (int *)((char *)PyInterpreterState_Get() + helpers_young_count_offset);
    }
    PyObject *m = PyModule_Create(&speedups_module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "StepBuffer", (PyObject *)&StepBuffer_Type) < 0 ||
        PyModule_AddObjectRef(m, "StepRecorder", (PyObject *)&StepRecorder_Type) < 0 ||
        PyModule_AddObjectRef(m, "StepRecordingCoroutine", (PyObject *)&Wrapper_Type) < 0 ||
        PyModule_AddObjectRef(m, "WaitLabels", (PyObject *)&WaitLabels_Type) < 0 ||
        PyModule_AddIntConstant(m, "C_MONOTONIC", HAVE_C_MONOTONIC) < 0 ||
        PyModule_AddIntConstant(m, "API_VERSION", HELPERS_SPEEDUPS_API) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
