"""Running the reader's code: in a helper thread, under a time budget, catching everything.

The reader's code runs in one helper thread per check (a :class:`Session`), so
that the checker can stop waiting for it: a function that loops forever would
otherwise hang the notebook. The thread is a daemon, blocked (not spinning)
between calls, and it ends when the check returns. When the check's time
budget runs out, the checker raises ``_OutOfTime`` inside that thread
(CPython's ``PyThreadState_SetAsyncExc``): Python delivers it at the thread's
next bytecode, which stops any pure-Python loop. The limits are in the
package docstring, under "Time budget".

:func:`call_reader` makes one call and returns a :class:`Call`: the value and
its snapshot as an array, the exception in words, the ``RuntimeWarning`` s.
Nothing escapes it but ``KeyboardInterrupt`` (the reader pressed stop):
``sys.exit()`` and every other ``BaseException`` become a failed call, so the
notebook's kernel never ends. :func:`as_array` then says whether the value is
the array the check needs, or why not, in the words a verdict shows.
"""

from __future__ import annotations

import contextvars
import ctypes
import inspect
import os
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optlib.check.mistakes import hint_for
from optlib.check.verdicts import abridge

# Seconds for all the calls of one check; public as optlib.check.DEFAULT_TIME_BUDGET,
# and documented there.
DEFAULT_TIME_BUDGET = 5.0
_GRACE = 1.0  # how long a stopped function gets to unwind before it counts as stuck
_POLL = 0.05  # the longest the checker waits without looking at the clock and for Ctrl-C


class _OutOfTime(BaseException):
    """Raised inside the helper thread to stop the reader's code when its time is up.

    A ``BaseException``, so that ``except Exception`` in the reader's code lets
    it through.
    """


def _raise_in_thread(ident: int) -> bool:
    """Ask CPython to raise :class:`_OutOfTime` in thread ``ident`` at its next bytecode."""
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is None:  # not CPython: the thread cannot be stopped
        return False
    count = set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(_OutOfTime))
    if count > 1:  # cannot happen for one thread id; undo rather than hit another thread
        set_async_exc(ctypes.c_ulong(ident), None)
    return count == 1


@dataclass
class Call:
    """What happened when the reader's function was called once."""

    value: Any = None
    array: np.ndarray | None = None  # the value as an array, converted right after the call
    unusable: str = ""  # why the value cannot be an array (a generator, ...), if it cannot
    exception: BaseException | None = None
    error: str | None = None  # the exception, or the time budget running out, in words
    refused: bool = False  # a TypeError raised by the call itself: the arguments do not fit
    warnings: list[str] = field(default_factory=list)  # RuntimeWarnings: a failure

    @property
    def warning(self) -> str:
        return f"it warned: {self.warnings[0]}" if self.warnings else ""


def _release(lock: threading.Lock) -> None:
    try:
        lock.release()
    except RuntimeError:  # already released
        pass


class Session:
    """Runs the reader's code for one check in a helper thread, under one time budget.

    Use as a context manager: the thread starts at the first call and ends
    with the ``with`` block. ``budget`` is the time in seconds all the calls
    together may take; once it has run out, no further call is made.

    The two threads hand jobs over with plain locks, whose ``acquire`` and
    ``release`` are single C calls: a Ctrl-C in the notebook cannot leave one
    half-done, as it could a ``threading.Event``.
    """

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.used = 0.0
        self.timed_out = False  # the budget ran out (or the reader pressed stop)
        self.stuck = False  # ... and the function could not be stopped
        self.escaped: str | None = None  # a BaseException (not an Exception) it raised
        self._thread: threading.Thread | None = None
        self._wake = threading.Lock()  # released to hand the helper thread a job
        self._wake.acquire()
        self._done = threading.Lock()  # released by the helper thread when a job is done
        self._done.acquire()
        self._guard = threading.Lock()  # held to inject the stop, and to change _running
        self._job: Callable[[], Call] | None = None
        self._result: Call | None = None
        self._running = False  # the helper thread is inside a job: a stop may be injected
        self._cancelled = False  # no job may start any more

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._job = None  # a job None tells the helper thread to end
            _release(self._wake)

    def _serve(self) -> None:
        """The helper thread: run each job, and absorb a stop that arrives just too late.

        A stop is injected only while ``_running`` is True, which is set and
        cleared inside the ``try`` while holding ``_guard``; so a stop injected
        just before ``_running`` is cleared is delivered at the latest when
        the ``with`` block releases the lock, still inside the ``try``. Every
        exception therefore ends here, never in the ``threading`` machinery.
        """
        finishing = False
        while True:
            try:
                if not finishing:
                    self._wake.acquire()
                    job, self._job = self._job, None
                    if job is None:
                        return
                    finishing = True
                    with self._guard:
                        self._running = not self._cancelled
                    if self._running:
                        self._result = job()
                with self._guard:
                    self._running = False
                _release(self._done)
                finishing = False
            except BaseException:  # the stop, raised in the reader's code or just after it
                pass

    def run(self, job: Callable[[], Call]) -> Call | None:
        """Run ``job`` in the helper thread; None if it ran out of time or was not run.

        A ``KeyboardInterrupt`` while waiting (the reader pressed stop) stops
        the job and propagates.
        """
        if self.timed_out:
            return None
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="optlib.check: your function", daemon=True
            )
            self._thread.start()
        self._result = None
        context = contextvars.copy_context()  # the notebook's output, warnings, ...
        self._job = lambda: context.run(job)
        done = False
        start = time.monotonic()
        _release(self._wake)
        try:
            while not done:
                remaining = self.budget - self.used - (time.monotonic() - start)
                if remaining <= 0:
                    break
                # In slices: a Ctrl-C is seen within _POLL even if the OS hands the
                # signal to the helper thread.
                done = self._done.acquire(timeout=min(remaining, _POLL))
        except BaseException:  # KeyboardInterrupt: stop the reader's code too, then go on
            self.timed_out = True
            self._stop()
            raise
        finally:
            self.used += time.monotonic() - start
        if done:
            return self._result
        self.timed_out = True
        self.stuck = not self._stop()
        return None

    def _stop(self) -> bool:
        """Stop the job, or keep it from starting; whether it ended within ``_GRACE``."""
        deadline = time.monotonic() + _GRACE
        while True:
            with self._guard:
                self._cancelled = True
                if self._running and self._thread is not None and self._thread.ident:
                    _raise_in_thread(self._thread.ident)
            # Inject again only if the job is still running after a while: its code
            # may have caught the first stop (a bare `except:`).
            if self._done.acquire(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                return True
            if time.monotonic() >= deadline:
                return False


def _reader_file(fn: Callable) -> str | None:
    try:
        code = getattr(inspect.unwrap(fn), "__code__", None)
        return os.path.abspath(code.co_filename) if code is not None else None
    except Exception:  # an object whose attributes misbehave
        return None


def _describe_error(error: BaseException, fn: Callable, who: str = "your function") -> str:
    """``"your function raised KeyError: 'x' (line 4: return state['x'])"``."""
    text = f"{who} raised {type(error).__name__}"
    try:
        detail = str(error)
    except Exception:  # an exception whose __str__ itself fails
        detail = ""
    if detail:
        text += f": {abridge(detail, 120)}"
    filename = _reader_file(fn)
    frames = traceback.extract_tb(error.__traceback__)
    own = [
        frame
        for frame in frames
        if filename is not None and os.path.abspath(frame.filename) == filename
    ]
    if own:
        frame = own[-1]
        where = f"line {frame.lineno}"
        if frame.line:
            where += f": {abridge(frame.line, 60)}"
        text += f" ({where})"
    if isinstance(error, SystemExit):
        text += "; sys.exit() would end the program (in a notebook, the kernel)"
    elif not isinstance(error, Exception):
        text += ", which is not an Exception (it derives from BaseException)"
    return text


def _snapshot(value: Any) -> tuple[np.ndarray | None, str]:
    """The reader's result as a new array, or why it cannot be one.

    Runs in the helper thread right after the reader's function: converting
    can run the reader's code too (``__array__``, ``__len__``, ...), and the
    copy keeps what the function returned even if it changes that array later.
    """
    if value is None or isinstance(value, str | bytes | dict | set):
        return None, ""
    if inspect.iscoroutine(value):
        value.close()  # never run: close it, or Python warns that it was never awaited
        return None, "a coroutine (it is an `async def` function: use `def`)"
    if inspect.isgenerator(value) or inspect.isasyncgen(value):
        return None, f"a {type(value).__name__} (it uses `yield`: use `return`)"
    if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
        return None, "a masked array with masked entries"
    try:
        return np.array(value), ""
    except Exception:
        return None, ""


def _reader_job(
    fn: Callable, args: Sequence[Any], kwargs: dict[str, Any], who: str
) -> Callable[[], Call]:
    """What the helper thread runs for one call of the reader's function."""

    def job() -> Call:
        call = Call()
        # NumPy's floating-point errors become warnings for the call (underflow
        # excepted: rounding a tiny number to 0 is not a mistake); errstate is
        # per thread, so it is set here, in the helper thread.
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                call.value = fn(*args, **kwargs)
                call.array, call.unusable = _snapshot(call.value)
            except _OutOfTime:
                raise
            except BaseException as error:  # KeyboardInterrupt goes back to the caller
                call.exception = error
                call.error = _describe_error(error, fn, who)
                # Raised before the function's body ran: the traceback holds only this frame.
                call.refused = (
                    isinstance(error, TypeError)
                    and len(traceback.extract_tb(error.__traceback__)) == 1
                )
        return call

    return job


def call_reader(
    session: Session,
    fn: Callable,
    args: Sequence[Any],
    kwargs: dict[str, Any] | None = None,
    who: str = "your function",
) -> Call:
    """Call the reader's function in the session's thread, catching everything it raises.

    Its exceptions (``BaseException`` included: ``sys.exit()`` is a failed
    case, not the end of the check) become ``error``; only
    ``KeyboardInterrupt`` propagates. Its ``RuntimeWarning`` s are recorded
    instead of shown. Nothing global changes: the warning filters and NumPy's
    error state are restored on exit.
    """
    if session.timed_out:
        return Call(error=f"not run: the check's time budget of {session.budget:g} s is used up")
    filename = _reader_file(fn)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call = session.run(_reader_job(fn, args, kwargs or {}, who))
    if call is None:
        text = f"{who} did not return within {session.budget:g} s; does it loop forever?"
        if session.stuck:
            text += (
                " (it could not be stopped, probably inside one long NumPy or C call, and "
                "goes on in the background until that call returns)"
            )
        return Call(error=text)
    if isinstance(call.exception, KeyboardInterrupt):
        raise call.exception  # the reader pressed stop: not the function's mistake
    if call.exception is not None and not isinstance(call.exception, Exception):
        session.escaped = session.escaped or type(call.exception).__name__
    for record in caught:
        if issubclass(record.category, RuntimeWarning):
            text = str(record.message)
            if filename is not None and os.path.abspath(record.filename) == filename:
                text += f" (line {record.lineno})"
            call.warnings.append(text)
    return call


def as_array(call: Call, shape: tuple[int, ...], what: str) -> tuple[np.ndarray | None, str]:
    """The reader's return value as a float64 array of ``shape``, or why it is not one."""
    if call.error is not None:
        return None, call.error
    value = call.value
    if value is None:
        return None, "your function returned None (is a `return` missing?)"
    if call.unusable:
        return None, f"your function returned {call.unusable}, not {what}"
    array = call.array
    kind = type(value).__name__
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    if (
        array is None
        or array.dtype == object
        or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_)
    ):
        if isinstance(value, np.ndarray):  # an array, but not of numbers
            return None, f"your function returned an array of dtype {value.dtype}, not {what}"
        return None, f"your function returned {article} {kind}, not {what}"
    if np.issubdtype(array.dtype, np.complexfloating):
        return None, "your function returned complex numbers"
    array = array.astype(np.float64)
    if array.shape != shape:
        wanted = "a single number" if shape == () else f"shape {shape}"
        got = "a single number" if array.shape == () else f"shape {array.shape}"
        return array, f"your function returned {got}, expected {wanted}"
    return array, ""


def non_finite(array: np.ndarray) -> str:
    """``"your function returned nan"`` (or inf), for a result that is not finite."""
    kinds = [
        kind for kind, bad in (("nan", np.isnan(array)), ("inf", np.isinf(array))) if bad.any()
    ]
    return f"your function returned {' and '.join(kinds)}"


def escape_verdict(session: Session) -> tuple[str | None, str | None, str | None]:
    """(mistake, hint, note) when the reader's code ran out of time or raised a BaseException."""
    if session.timed_out:
        note = (
            f"Your function did not return within {session.budget:g} s (the check's time "
            "budget); does it loop forever?"
        )
        if session.stuck:
            note += " It could not be stopped and goes on in the background."
        return "timeout", hint_for("timeout", budget=f"{session.budget:g}"), note
    if session.escaped is not None:
        return "base_exception", hint_for("base_exception", name=session.escaped), None
    return None, None, None
