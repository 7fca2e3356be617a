"""The reader's code can neither break, hang nor end a check (optlib/check/sandbox.py).

Whatever the reader's function does (raises, warns, returns something that is
not an array, loops forever, calls sys.exit()), the check answers with a
verdict; only KeyboardInterrupt propagates. A small time budget keeps the tests
of the budget fast. Nothing here sleeps or measures how long anything took:
the verdicts are asserted, and the helper thread's end is awaited by joining
it, with a bound on a hang.
"""

from __future__ import annotations

import _thread
import sys
import threading
import warnings

import numpy as np
import pytest
from check_readers import (
    assert_caught,
    correct_grad,
    correct_loss,
    my_adam,
    rosenbrock_grad,
    shown_in_a_notebook,
)

from optlib import Beale, Rosenbrock, check

BUDGET = 0.5


def spin(*args, **kwargs):
    while True:
        pass


CHECKS = {
    "loss": lambda fn, **options: check.loss(fn, "mse", **options),
    "loss_grad": lambda fn, **options: check.loss_grad(fn, "bce", from_logits=True, **options),
    "gradient": lambda fn, **options: check.gradient(fn, Rosenbrock(), **options),
    "optimizer_step": lambda fn, **options: check.optimizer_step(fn, "adam", lr=0.1, **options),
    "schedule": lambda fn, **options: check.schedule(fn, "warmup_cosine", **options),
}


def raises(*args, **kwargs):
    return {}["missing"]


def warns(*args, **kwargs):
    return np.log(np.zeros(1)) * 0  # a RuntimeWarning and a nan


def text_result(*args, **kwargs):
    return "0.5"


def yields(*args, **kwargs):
    yield 0.5


async def asynchronous(*args, **kwargs):
    return 0.5


class RefusesToBeAnArray:
    def __array__(self, dtype=None, copy=None):
        raise ValueError("no")


BROKEN = {
    "raises": (raises, "your function raised KeyError: 'missing' (line"),
    "returns None": (lambda *args, **kwargs: None, "your function returned None"),
    "returns text": (text_result, "your function returned a str"),
    "returns bytes": (lambda *args, **kwargs: b"0.5", "your function returned a bytes"),
    "returns a dict": (lambda *args, **kwargs: {"loss": 0.5}, "your function returned a dict"),
    "returns a set": (lambda *args, **kwargs: {0.5}, "your function returned a set"),
    "returns an object": (lambda *args, **kwargs: object(), "your function returned an object"),
    "returns a ragged list": (
        lambda *args, **kwargs: [[0.5], [0.5, 0.5]],
        "your function returned a list, not",
    ),
    "returns an int beyond float64": (
        lambda *args, **kwargs: 10**400,
        "your function returned an int, not",
    ),
    "returns complex numbers": (
        lambda *args, **kwargs: np.asarray(args[0]) * 1j,
        "your function returned complex numbers",
    ),
    "returns a masked array": (
        lambda *args, **kwargs: np.ma.masked_all(np.shape(args[0])),
        "your function returned a masked array with masked entries",
    ),
    "is a generator": (yields, "your function returned a generator (it uses `yield`"),
    "is async": (asynchronous, "your function returned a coroutine (it is an `async def`"),
    "__array__ raises": (
        lambda *args, **kwargs: RefusesToBeAnArray(),
        "your function returned a RefusesToBeAnArray, not",
    ),
    "warns": (warns, "it warned: divide by zero encountered in log"),
    "wrong shape": (lambda *args, **kwargs: np.zeros((2, 2, 2)), "your function returned shape"),
}


def run_every_check(fn):
    return [
        check.loss(fn, "bce"),
        check.loss(fn, "sparse_cce", from_logits=True, reduction="none"),
        check.loss_grad(fn, "cce"),
        check.gradient(fn, Beale()),
        check.optimizer_step(fn, "adam", lr=0.1),
    ]


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_reader_gives_failed_cases_not_exceptions(kind):
    fn, message = BROKEN[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as in pytest's configuration: any escape fails
        results = run_every_check(fn)
    for result in results:
        assert not result.passed
        assert not result
        assert all(not case.passed for case in result.cases)
        assert message in result.failures[0].message, (result.failures[0].message, str(result))
        str(result), shown_in_a_notebook(result)


def test_a_type_error_inside_the_function_is_not_a_signature_problem():
    def squared(residuals, power):
        return residuals**power

    def typo(p, y):
        return np.mean(squared(p - y))  # a helper called without its second argument

    result = check.loss(typo, "mse")
    assert not result.passed
    assert result.mistake != "signature"
    assert "your function raised TypeError" in result.failures[0].message
    assert "(line" in result.failures[0].message  # the reader's own line is named


def test_a_warning_fails_a_case_even_when_the_value_is_right():
    def noisy_mse(p, y):
        np.exp(np.float64(1000.0))  # overflows, unused
        return np.mean((p - y) ** 2)

    result = check.loss(noisy_mse, "mse")
    assert not result.passed
    assert "it warned: overflow encountered in exp" in result.failures[0].message
    assert result.mistake == "unstable"


def test_global_numpy_and_warning_state_is_untouched():
    errors, filters = np.geterr(), list(warnings.filters)
    for fn, _ in BROKEN.values():
        run_every_check(fn)
    run_every_check(lambda *args, **kwargs: np.seterr(all="ignore") and None)  # a rude reader
    np.seterr(**errors)
    assert np.geterr() == errors
    assert warnings.filters == filters


def test_the_readers_inputs_are_copies():
    def vandal(p, y):
        p[...] = 0.5  # writes into its input
        return np.mean((p - y) ** 2)

    first = check.loss(vandal, "mse")
    assert next(case.input["y_pred"] for case in first.cases).min() != 0.5


def test_changing_the_inputs_in_place_changes_no_verdict():
    def vandal_adam(theta, grad, state, lr, betas):
        new_theta = my_adam(theta, grad, state, lr, betas=tuple(betas))
        theta[...], grad[...] = 1e9, -1e9
        betas[0] = 0.0  # the list of hyper-parameters it was given
        return new_theta

    betas = [0.9, 0.999]
    assert check.optimizer_step(vandal_adam, "adam", lr=0.1, betas=betas)
    assert betas == [0.9, 0.999]

    def vandal_grad(x):
        g = rosenbrock_grad(x.copy())
        x[...] = 0.0
        return g

    result = check.gradient(vandal_grad, Rosenbrock())
    assert result.passed
    assert all(np.any(case.input["x"] != 0) for case in result.cases)

    def vandal_loss_grad(y_pred, y_true):
        g = correct_grad("cce", False, "mean")(y_pred.copy(), y_true.copy())
        y_pred[...], y_true[...] = 0.0, 1.0
        return g

    assert check.loss_grad(vandal_loss_grad, "cce")


def test_changing_an_earlier_result_later_changes_no_verdict():
    def changes_its_old_result(theta, grad, state, lr):
        if "previous" in state:
            state["previous"][...] = 0.0
        new_theta = theta - lr * grad
        state["previous"] = new_theta
        return new_theta

    assert check.optimizer_step(changes_its_old_result, "sgd", lr=0.01)


def shaped_like_first(value):
    return lambda *args, **kwargs: np.full(np.shape(args[0]), value)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["loss_grad", "gradient", "optimizer_step"])
def test_a_non_finite_result_fails_with_its_name(which, value):
    result = CHECKS[which](shaped_like_first(value))
    assert not result.passed
    assert f"your function returned {'nan' if np.isnan(value) else 'inf'}" in str(result)


@pytest.mark.parametrize("which", CHECKS)
@pytest.mark.parametrize(
    "fn", [lambda: 0.5, lambda a, b, c, d, e, f: 0.5], ids=["too few", "too many"]
)
def test_a_wrong_signature_is_a_failing_verdict(which, fn):
    assert_caught(CHECKS[which](fn), "signature")


def test_a_list_is_as_good_as_an_array():
    assert check.gradient(lambda x: list(rosenbrock_grad(x)), Rosenbrock())
    assert check.optimizer_step(lambda theta, grad, state, lr: list(theta - lr * grad), "sgd")


def test_an_array_of_objects_is_named_by_its_dtype():
    def objects(theta, grad, state, lr):
        return np.array([*(theta - lr * grad), None])[:-1]  # dtype object

    result = check.optimizer_step(objects, "sgd", lr=0.1)
    assert not result.passed
    assert "your function returned an array of dtype object, not an array of numbers" in str(
        result
    )


def helper_threads():
    return [thread for thread in threading.enumerate() if thread.name.startswith("optlib.check")]


def threads_settle(baseline=None, hang_bound=10.0):
    """Join every helper thread, then say whether none is left and the count is ``baseline``.

    A helper thread ends just after its check returns, so a test takes its
    baseline after calling this without one (earlier tests' helpers gone).
    ``hang_bound`` only keeps a helper that never ends from hanging the test
    run: nothing here measures how long the helper takes.
    """
    for thread in helper_threads():
        thread.join(timeout=hang_bound)
    count = threading.active_count()
    return not helper_threads() and (baseline is None or count <= baseline)


def settled_thread_count():
    assert threads_settle(), [thread.name for thread in threading.enumerate()]
    return threading.active_count()


@pytest.mark.parametrize("which", CHECKS)
def test_an_endless_loop_is_stopped_and_the_verdict_names_the_budget(which):
    result = CHECKS[which](spin, time_budget=BUDGET)
    assert_caught(result, "timeout")
    assert "time budget of 0.5 s" in result.hint
    assert result.note.startswith("Your function did not return within 0.5 s")
    assert "does it loop forever?" in result.note and result.note in str(result)
    assert all(not case.passed for case in result.cases)
    first, *rest = result.failures
    assert "your function did not return within 0.5 s; does it loop forever?" in first.message
    assert rest and all(
        "not run: the check's time budget of 0.5 s is used up" in case.message for case in rest
    )


def test_the_budget_covers_the_whole_check_and_earlier_cases_keep_their_verdict():
    def loops_on_float32(y_pred, y_true):
        if y_pred.dtype == np.float32:
            spin()
        return np.mean((y_pred - y_true) ** 2)

    # A budget with room for the three quick cases before the loop, even on a busy machine.
    result = check.loss(loops_on_float32, "mse", time_budget=1.5)
    assert [case.passed for case in result.cases] == [True, True, True, False, False]
    assert "float32" in result.cases[3].name
    assert "did not return within 1.5 s" in result.cases[3].message
    assert result.cases[4].message.startswith("not run:")
    assert result.mistake == "timeout"


def test_no_thread_is_left_running_after_a_runaway_check():
    baseline = settled_thread_count()
    assert check.loss(correct_loss("mse", False, "mean"), "mse")  # a normal check, first
    assert threads_settle(baseline)
    result = check.optimizer_step(spin, "sgd", lr=0.1, time_budget=BUDGET)
    assert result.mistake == "timeout"
    assert "could not be stopped" not in result.note  # a pure-Python loop is stopped
    assert threads_settle(baseline), [thread.name for thread in threading.enumerate()]


def test_a_check_called_from_another_thread_stops_a_loop_too():
    baseline = settled_thread_count()
    results = []
    caller = threading.Thread(
        target=lambda: results.append(check.gradient(spin, Rosenbrock(), time_budget=BUDGET))
    )
    caller.start()
    caller.join(timeout=60)  # a bound on a hang, not a timing assertion
    assert not caller.is_alive()
    assert_caught(results[0], "timeout")
    assert threads_settle(baseline)


def test_a_loop_that_catches_the_stop_still_gets_the_time_verdict():
    def swallows_the_stop(y_pred, y_true):
        try:
            spin()
        except BaseException:  # catches anything, the checker's stop included
            return 0.0

    baseline = settled_thread_count()
    result = check.loss(swallows_the_stop, "mse", time_budget=BUDGET)
    assert_caught(result, "timeout")
    assert threads_settle(baseline)


def test_a_loop_in_the_conversion_of_the_result_is_stopped_too():
    class EndlessArray:
        def __array__(self, dtype=None, copy=None):
            spin()

    result = check.loss(lambda y_pred, y_true: EndlessArray(), "mse", time_budget=BUDGET)
    assert_caught(result, "timeout")


def test_a_loop_in_the_readers_own_f_is_stopped_and_compares_nothing():
    result = check.gradient(lambda x: 2 * x, spin, points=[[1.0, 2.0]], time_budget=BUDGET)
    assert not result.passed
    assert result.verdict == "✘ nothing compared: the one case could not be compared"
    assert result.mistake == "timeout"
    (case,) = result.not_compared
    assert "f did not return within 0.5 s; does it loop forever?" in case.message


def test_printing_from_the_function_still_shows(capsys):
    def chatty(y_pred, y_true):
        print("inside the reader's function")
        return np.mean((y_pred - y_true) ** 2)

    assert check.loss(chatty, "mse")
    assert capsys.readouterr().out.count("inside the reader's function") == 5


class Abort(BaseException):
    """A reader's own BaseException subclass."""


def calls_sys_exit(*args, **kwargs):
    sys.exit()


def exits_with_3(*args, **kwargs):
    raise SystemExit(3)


def raises_generator_exit(*args, **kwargs):
    raise GeneratorExit


def aborts(*args, **kwargs):
    raise Abort("stop everything")


ESCAPES = {
    "sys.exit()": (calls_sys_exit, "SystemExit", "sys.exit() would end the program"),
    "SystemExit(3)": (exits_with_3, "SystemExit", "raised SystemExit: 3 (line"),
    "GeneratorExit": (raises_generator_exit, "GeneratorExit", "not an Exception"),
    "BaseException subclass": (aborts, "Abort", "raised Abort: stop everything (line"),
}


@pytest.mark.parametrize("which", CHECKS)
@pytest.mark.parametrize("kind", ESCAPES)
def test_a_base_exception_is_a_failing_verdict_not_the_end(kind, which):
    fn, name, message = ESCAPES[kind]
    result = CHECKS[which](fn)
    assert_caught(result, "base_exception")
    assert f"Your function raised {name}" in result.hint
    assert all(message in case.message for case in result.failures)


def test_sys_exit_in_the_readers_own_f_compares_nothing():
    result = check.gradient(lambda x: 2 * x, calls_sys_exit, points=[[1.0, 2.0]])
    assert not result.passed and result.mistake == "base_exception"
    assert "f raised SystemExit" in result.not_compared[0].message


def presses_stop(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("which", CHECKS)
def test_keyboard_interrupt_from_the_function_propagates(which):
    baseline = settled_thread_count()
    with pytest.raises(KeyboardInterrupt):
        CHECKS[which](presses_stop)
    assert threads_settle(baseline)


def test_pressing_stop_while_the_function_loops_stops_both():
    """Ctrl-C (here simulated) reaches the waiting checker, which stops the loop too."""

    def interrupts_then_loops(y_pred, y_true):
        _thread.interrupt_main()  # what the notebook's stop button does to the kernel
        spin()

    baseline = settled_thread_count()
    with pytest.raises(KeyboardInterrupt):
        check.loss(interrupts_then_loops, "mse")  # the default budget: the stop comes first
    assert threads_settle(baseline)
