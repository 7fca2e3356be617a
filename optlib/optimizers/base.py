"""What every optimizer shares: parameters, hyper-parameters, the step, and saved state.

The update rules themselves live one per module (:mod:`optlib.optimizers.sgd`,
:mod:`optlib.optimizers.adagrad`, :mod:`optlib.optimizers.rmsprop`,
:mod:`optlib.optimizers.adam`); this is the machinery a training loop needs
around a rule, written once: checked parameters and gradients, validated
hyper-parameters, ``step``, ``rates``, ``state_dict`` and ``load_state_dict``.
"""

from __future__ import annotations

import copy
import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from optlib._validation import (
    as_gradient,
    check_hyperparameters,
    check_params,
    checked_state_array,
    checked_state_number,
    checked_step,
    short_repr,
)
from optlib.optimizers import blocks
from optlib.optimizers.names import TORCH_ONLY, attribute_hint, with_keyword_hints

__all__ = ["Optimizer", "state_size"]


class Optimizer:
    """What every optimizer shares: parameters, validated hyper-parameters, state.

    A subclass declares its hyper-parameters once, in its constructor's
    signature (which passes ``locals()`` on), and names its update ``rule``, its
    per-coordinate ``rate`` and its state entries; each hyper-parameter is
    checked by its name, with torch's message, in ``optlib._validation``.
    Hyper-parameters read and write as attributes; assigning one
    (``opt.lr = 0.01``) validates it and takes effect at the next :meth:`step`.

    Every call either succeeds or raises before changing anything: :meth:`step`,
    :meth:`load_state_dict` and assignments to ``params`` or to a hyper-parameter
    check all of their input first, and only then write. A call that raises
    leaves the parameters, the state, the step counters, the hyper-parameters and
    the caller's arrays exactly as they were.

    ``params`` is a tuple of the arrays :meth:`step` updates in place. Assigning
    it (``opt.params = [w, b]``) swaps in other arrays of the **same number,
    shapes and dtypes** and keeps the state: the new arrays continue the old
    ones' trajectory, as after :meth:`load_state_dict`. Arrays of another count,
    shape or dtype are refused, since the state (velocities, moving averages)
    only fits the old ones; build a new optimizer to start afresh.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD(theta, lr=0.1, momentum=0.9)
    >>> opt.step(np.array([1.0, 1.0]))  # updates theta in place
    >>> theta, opt.state[0]["momentum_buffer"]
    (array([ 0.9, -2.1]), array([1., 1.]))
    >>> opt.lr = 0.01  # validated; used from the next step on
    >>> opt.step([np.array([1.0, 1j])])  # refused before anything moves
    Traceback (most recent call last):
    ...
    ValueError: gradient 0: dtype complex128 holds complex numbers, not real numbers ...
    >>> theta
    array([ 0.9, -2.1])
    """

    rule: ClassVar[Callable[..., None]]
    """The update: ``rule(param, grad, state, **hyperparameters)``, in place."""
    rate: ClassVar[Callable[..., Any] | None] = None
    """The per-coordinate learning rate of the last step, ``rate(state, **hyperparameters)``;
    None for a method whose step is not a rate times a direction."""
    hyperparameter_names: ClassVar[tuple[str, ...]] = ()
    """The constructor's arguments after ``params``, in order (set from its signature)."""
    state_names: ClassVar[tuple[str, ...]] = ()
    nonnegative_state: ClassVar[tuple[str, ...]] = ()
    """State entries of squares or magnitudes, so a loaded negative entry is refused."""
    scalar_state: ClassVar[tuple[str, ...]] = ()
    """State entries that are one number per run, not an array of the parameter's shape
    (NAdam's ``mu_product``; in a sweep, an array of the hyper-parameters' shape)."""
    elementwise: ClassVar[bool] = True
    """Whether every operation of ``rule`` acts entry by entry, so that a large parameter
    may be updated one block at a time (``optlib.optimizers.blocks``). False for a
    rule that reads a whole parameter at once: row and column means (Adafactor), matrix
    products (Muon)."""
    hyperparameter_checks: ClassVar[dict[str, Callable[[str, Any], Any]]] = {}
    """This class's checks for names that ``torch.optim`` checks differently in it (another
    message, or another kind of value: Adafactor's ``eps`` is a pair); they replace
    ``optlib._validation.HYPERPARAMETER_CHECKS``' for those names."""

    state: list[dict[str, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            parameters = list(inspect.signature(cls.__init__).parameters.values())[2:]
            variable = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
            if not any(parameter.kind in variable for parameter in parameters):
                # The signature after (self, params) declares the hyper-parameters; a
                # subclass taking *args or **kwargs keeps its parent's.
                cls.hyperparameter_names = tuple(parameter.name for parameter in parameters)
            cls.__init__ = with_keyword_hints(cls.__init__)  # type: ignore[method-assign]

    def __init__(self, params: np.ndarray | Sequence[np.ndarray], arguments: dict[str, Any]):
        """Check ``params``, and the hyper-parameters among ``arguments`` (``locals()``)."""
        self._use_params(check_params(params))
        object.__setattr__(self, "state", [{} for _ in self._params])
        self._set_hyperparameters({name: arguments[name] for name in self.hyperparameter_names})
        self._check_params(self._params)  # after the hyper-parameters, in torch's order

    # -- parameters ----------------------------------------------------------

    @property
    def params(self) -> tuple[np.ndarray, ...]:
        """The arrays :meth:`step` updates in place, in order (see the class docstring)."""
        return self._params

    @params.setter
    def params(self, params: np.ndarray | Sequence[np.ndarray]) -> None:
        new = check_params(params)
        old = self._params
        if len(new) != len(old):
            raise ValueError(
                f"params: got {len(new)} array(s), but this optimizer has {len(old)} "
                "parameter(s) and state for each; build a new optimizer for other parameters"
            )
        for index, (array, current) in enumerate(zip(new, old, strict=True)):
            if array.shape != current.shape or array.dtype != current.dtype:
                raise ValueError(
                    f"params[{index}] has shape {array.shape} and dtype {array.dtype}, but the "
                    f"parameter it replaces has shape {current.shape} and dtype {current.dtype}; "
                    "its state only fits the old one: build a new optimizer to start afresh"
                )
        self._use_params(new)

    def _use_params(self, params: list[np.ndarray]) -> None:
        object.__setattr__(self, "_params", tuple(params))
        # The arrays that own the parameters' memory: see _check_grads.
        owners = [array for param in params for array in (param, param.base)]
        self._memory_owners = frozenset(id(array) for array in owners if array is not None)

    # -- hyper-parameters ----------------------------------------------------

    def _check_together(self, hyperparameters: dict[str, Any]) -> None:
        """Refuse combinations that are invalid together (each value is already checked)."""

    def _check_params(self, params: tuple[np.ndarray, ...]) -> None:
        """Refuse parameters this method cannot update (each is already a valid float array)."""

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        """The entries a started (non-empty) state must hold under ``hyperparameters``.

        Only those that :meth:`_state_shapes` gives the parameter are required of it.
        """
        return ()

    def _state_shapes(self, param: np.ndarray) -> dict[str, tuple[int, ...]]:
        """The array state entries this method may keep for ``param``, with their shapes.

        The parameter's own shape for every entry but ``"step"``, by default; Adafactor
        keeps other entries, of other shapes, for a matrix than for a vector.
        """
        return {key: param.shape for key in self.state_names if key != "step"}

    def _checked(self, values: dict[str, Any], only: str | None = None) -> dict[str, Any]:
        """Every value checked, or, with ``only``, that one (the others were checked when set)."""
        fresh = values if only is None else {only: values[only]}
        checked = {**values, **check_hyperparameters(fresh, self.hyperparameter_checks)}
        self._check_together(checked)
        for name, value in checked.items():
            if only is not None and name != only:
                continue
            for array in value if isinstance(value, tuple) else (value,):
                if isinstance(array, np.ndarray):
                    self._check_broadcast(name, array)
        return checked

    def _check_broadcast(self, name: str, array: np.ndarray) -> None:
        for index, param in enumerate(self._params):
            try:
                fits = np.broadcast_shapes(array.shape, param.shape) == param.shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(
                    f"{name} of shape {array.shape} does not broadcast against "
                    f"params[{index}] of shape {param.shape}; for a sweep of k runs, "
                    "give params shape (k, d) and each array hyper-parameter shape (k, 1)"
                )

    def _set_hyperparameters(self, values: dict[str, Any], only: str | None = None) -> None:
        checked = self._checked(values, only)  # everything is checked before anything is set
        object.__setattr__(self, "_hyperparameters", checked)
        # A switch that needs a new state entry (amsgrad, centered, RMSprop's momentum)
        # gets it now, at zero, so that state_dict() is complete at every moment.
        required = [key for key in self._required_state(checked) if key != "step"]
        for param, state in zip(self._params, self.state, strict=True):
            shapes = self._state_shapes(param)
            for key in required:
                if state and key in shapes and key not in state:
                    state[key] = np.zeros(shapes[key], param.dtype)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.hyperparameter_names:
            # Only the new value needs its check (a schedule sets lr at every step).
            self._set_hyperparameters({**self._hyperparameters, name: value}, only=name)
        elif name.startswith("_") or name == "params":
            object.__setattr__(self, name, value)
        elif name == "state":
            raise AttributeError(
                f"{type(self).__name__}.state is kept by the optimizer; "
                "to restore a saved one, use opt.load_state_dict(saved)"
            )
        else:
            hint = attribute_hint(type(self), name, value)
            raise AttributeError(
                f"{type(self).__name__} has no hyper-parameter {name!r}; "
                f"its hyper-parameters are {', '.join(self.hyperparameter_names)}{hint}"
            )

    def __delattr__(self, name: str) -> None:
        if name in self.hyperparameter_names or name in ("params", "state"):
            what = "hyper-parameter" if name in self.hyperparameter_names else "attribute"
            raise AttributeError(
                f"cannot delete the {what} {name!r} of {type(self).__name__}: every step "
                f"needs it; assign a new value instead (opt.{name} = ...)"
            )
        object.__delattr__(self, name)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and copy.deepcopy give the copy arrays of its own: the memory owners that
        # _check_grads looks for are theirs, not the original's.
        self.__dict__.update(state)
        self._use_params(list(self._params))

    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary lookup fails: a hyper-parameter, or a name from
        # torch or Keras, answered with what to write. (The instance may be half-built.)
        hyperparameters = self.__dict__.get("_hyperparameters", {})
        if name in hyperparameters:
            return hyperparameters[name]
        hint = "" if name.startswith("__") else attribute_hint(type(self), name, ...)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.hyperparameter_names})

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The current hyper-parameters, by name; a copy (assign an attribute to change one)."""
        return dict(self._hyperparameters)

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={value!r}" for name, value in self.hyperparameters.items())
        return f"{type(self).__name__}({settings})"

    # -- the step ------------------------------------------------------------

    def step(self, grads: np.ndarray | Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient.

        Every gradient is checked before any parameter moves, so a step that
        raises has changed nothing.

        Parameters
        ----------
        grads : ndarray or list of ndarray
            One gradient per parameter, in the order of ``params``, each of the
            same shape as its parameter (a single array when there is one
            parameter). Float or integer arrays (or nested lists of numbers);
            a float gradient of another precision than its parameter is used as
            it is, the parameter keeps its dtype. The caller's arrays are never
            modified, even when a gradient is (a view of) a parameter.

        Raises
        ------
        ValueError
            A wrong number of gradients; a gradient whose shape differs from
            its parameter's; a gradient that is not an array of real numbers
            (complex, boolean, string, object, datetime, ragged, None, or a
            masked array with masked entries).
        """
        grads = self._check_grads(grads)
        rule, hyperparameters = type(self).rule, self._hyperparameters
        with np.errstate(all="ignore"):  # IEEE arithmetic, silent, as in torch
            for param, grad, state in zip(self._params, grads, self.state, strict=True):
                if self.elementwise:
                    blocks.update(rule, param, grad, state, hyperparameters)
                else:  # the rule reads the whole parameter (means, matrix products)
                    rule(param, grad, state, **hyperparameters)

    def rates(self, index: int = 0) -> np.ndarray:
        r"""The per-coordinate learning rate that the last step applied to ``params[index]``.

        What multiplies the direction the rule followed, read from the state
        after the step: :math:`\alpha` for SGD (times the velocity, with momentum),
        :math:`\tilde\alpha_t / (\sqrt{G_t} + \varepsilon)` for Adagrad,
        :math:`\alpha / (\sqrt{s_t} + \varepsilon)` for RMSprop, and for Adam the
        factor :math:`\alpha / (1 - \beta_1^t) / (\sqrt{\hat s_t} + \varepsilon)` that
        multiplies the first moment :math:`m_t` (RAdam's and Adamax's likewise;
        NAdam's multiplies its look-ahead moment :math:`\hat m_t`; Adadelta
        defines none). Each is built from the same pieces as the rule itself.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import Adagrad
        >>> theta = np.array([1.0, 1.0])
        >>> opt = Adagrad(theta, lr=1.0, eps=0.0)
        >>> opt.step(np.array([2.0, 0.5]))
        >>> opt.rates()  # α / √G, G = g²
        array([0.5, 2. ])
        """
        rule_rate = type(self).rate
        if rule_rate is None:
            raise ValueError(f"{type(self).__name__} defines no per-coordinate learning rate")
        try:
            rate = rule_rate(self.state[index], **self._hyperparameters)
        except KeyError:  # a state entry that the first step creates
            raise ValueError("rates() describes the last step: call step() first") from None
        return np.broadcast_to(rate, self._params[index].shape)

    def _check_grads(self, grads: Any) -> list[np.ndarray]:
        params, owners = self._params, self._memory_owners
        if type(grads) is list or type(grads) is tuple:
            pass  # the common case, first: an isinstance check on an ABC costs more
        elif isinstance(grads, np.ndarray | numbers.Number):  # one gradient, one parameter
            grads = (grads,)
        elif isinstance(grads, str | bytes | dict) or not isinstance(grads, Sequence):
            raise ValueError(
                "grads must be a list of arrays aligned with params, "
                f"got {type(grads).__name__} {short_repr(grads)}"
            )
        if len(grads) != len(params):
            raise ValueError(
                f"expected {len(params)} gradient(s), one per parameter, got {len(grads)}"
            )
        checked = []
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if type(grad) is not np.ndarray or grad.dtype.kind != "f":
                grad = as_gradient(index, grad, param)
            if grad.shape != param.shape:
                raise ValueError(
                    f"gradient {index} has shape {grad.shape}, "
                    f"but params[{index}] has shape {param.shape}"
                )
            # A gradient that is (a view of) its own parameter, or of one updated
            # before it (∂(xy)/∂x = y), would change under the update: read a copy.
            # Views reach their memory's owner through .base, so a gradient whose
            # owner is no parameter's shares no memory with one (the common case).
            base = grad.base
            if id(grad) in owners or (base is not None and id(base) in owners):
                for earlier in params[: index + 1]:
                    if np.may_share_memory(grad, earlier):
                        grad = grad.copy()
                        break
            checked.append(grad)
        return checked

    # -- state ---------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the state and hyper-parameters, in ``torch.optim``'s layout.

        ``{"state": {index: {name: value}}, "param_groups": [{hyper-parameters...,
        "params": [0, 1, ...]}], "optimizer": class name}``. ``"step"`` is a plain
        int (torch stores a 0-d tensor); parameters without state yet are absent.
        """
        group = copy.deepcopy(self.hyperparameters)
        group["params"] = list(range(len(self._params)))
        return {
            "state": {i: copy.deepcopy(s) for i, s in enumerate(self.state) if s},
            "param_groups": [group],
            "optimizer": type(self).__name__,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and hyper-parameters from :meth:`state_dict`'s output.

        Everything is checked before anything changes, and copied in: the
        trajectory continues exactly as if it had never been interrupted, and a
        load that raises leaves the optimizer as it was.

        A parameter's state is either empty (absent, or every entry ``None``),
        which starts it afresh at the next step as for a new optimizer (torch
        stores SGD's ``momentum_buffer`` as ``None`` before its first step),
        or complete: every entry the loaded hyper-parameters use, e.g. Adam's
        ``step``, ``exp_avg``, ``exp_avg_sq`` and, with ``amsgrad``,
        ``max_exp_avg_sq``. Arrays are copied in the parameter's dtype.

        Raises
        ------
        ValueError
            The dict comes from another optimizer class; has another number of
            parameters; missing or unknown hyper-parameters or state entries;
            an invalid hyper-parameter; a ``step`` that is not an int >= 0; or
            a state array of the wrong shape, of a non-real dtype, or (for an
            entry of squares or magnitudes) with negative entries. The message
            names the entry and the parameter index.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            got = sorted(map(str, state_dict)) if isinstance(state_dict, dict) else None
            raise ValueError(
                "state_dict must be a dict with 'state' and 'param_groups' entries, "
                f"as {name}.state_dict() returns; got "
                + (f"a dict with keys {got}" if got is not None else type(state_dict).__name__)
            )
        source = state_dict.get("optimizer", name)
        if source != name:
            raise ValueError(f"state_dict comes from {source}, cannot load it into {name}")
        groups = state_dict["param_groups"]
        if not isinstance(groups, list | tuple) or len(groups) != 1:
            count = len(groups) if isinstance(groups, list | tuple) else type(groups).__name__
            raise ValueError(f"expected 1 parameter group, the state_dict has {count}")
        if not isinstance(groups[0], dict):
            raise ValueError(
                f"param_groups[0] must be a dict of hyper-parameters, got {short_repr(groups[0])}"
            )
        group = dict(groups[0])
        if "params" not in group:
            raise ValueError("param_groups[0] has no 'params' entry (the parameter ids)")
        ids = group.pop("params")
        if not isinstance(ids, list | tuple):
            raise ValueError(f"param_groups[0]['params'] must be a list of ids, got {ids!r}")
        if len(ids) != len(self._params):
            raise ValueError(
                f"the state_dict holds {len(ids)} parameter(s), this optimizer {len(self._params)}"
            )
        try:
            distinct = len(set(ids)) == len(ids)
        except TypeError:
            distinct = False
        if not distinct:
            raise ValueError(f"param_groups[0]['params'] must be distinct ids, got {ids!r}")
        missing = [key for key in self.hyperparameter_names if key not in group]
        unknown = sorted((key for key in group if key not in self.hyperparameter_names), key=str)
        if missing or unknown:
            problems = [f"lack {missing}"] if missing else []
            problems += [f"add unknown {unknown}"] if unknown else []
            torch_only = [key for key in unknown if key in (*TORCH_ONLY, "decoupled_weight_decay")]
            hint = (
                f" ({', '.join(torch_only)}: torch's implementation options, "
                "delete them from the dict)"
                if torch_only
                else ""
            )
            raise ValueError(
                f"the state_dict's hyper-parameters {' and '.join(problems)}; "
                f"{name}'s are {', '.join(self.hyperparameter_names)}{hint}"
            )
        hyperparameters = self._checked(group)
        states = state_dict["state"]
        if not isinstance(states, dict):
            raise ValueError(f"state_dict['state'] must be a dict, got {type(states).__name__}")
        unknown_ids = [key for key in states if key not in ids]
        if unknown_ids:
            raise ValueError(
                f"state_dict has state for unknown parameter(s) {sorted(unknown_ids, key=str)}; "
                f"the ids are {list(ids)}"
            )
        required = self._required_state(hyperparameters)
        state = [
            self._checked_state(index, param, states.get(key, {}), required)
            for index, (key, param) in enumerate(zip(ids, self._params, strict=True))
        ]
        # Everything is valid: now write.
        object.__setattr__(self, "_hyperparameters", hyperparameters)
        object.__setattr__(self, "state", state)

    def _checked_state(
        self, index: int, param: np.ndarray, entries: Any, required: tuple[str, ...]
    ) -> dict[str, Any]:
        where = f"state for params[{index}]"
        if not isinstance(entries, dict):
            raise ValueError(f"{where} must be a dict of entries, got {short_repr(entries)}")
        unknown = sorted((key for key in entries if key not in self.state_names), key=str)
        if unknown:
            raise ValueError(
                f"{where} has unknown entries {unknown}; "
                f"{type(self).__name__} keeps {', '.join(self.state_names)}"
            )
        present = {key: value for key, value in entries.items() if value is not None}
        if not present:
            return {}  # not started: the next step starts it, as for a new optimizer
        shapes = self._state_shapes(param)
        required = tuple(key for key in required if key == "step" or key in shapes)
        missing = [key for key in required if key not in present]
        if missing:
            raise ValueError(
                f"{where} lacks {', '.join(map(repr, missing))}; with these hyper-parameters "
                f"a started state holds {', '.join(required)} (or nothing, to start afresh)"
            )
        misplaced = [key for key in present if key != "step" and key not in shapes]
        if misplaced:
            raise ValueError(
                f"{where} has {', '.join(map(repr, misplaced))}, which {type(self).__name__} "
                f"does not keep for a parameter of shape {param.shape} "
                f"(it keeps {', '.join(shapes)})"
            )
        state: dict[str, Any] = {}
        for key, value in present.items():
            if key == "step":
                state[key] = checked_step(where, value)
            elif key in self.scalar_state:
                state[key] = checked_state_number(where, key, value, param)
            else:
                state[key] = checked_state_array(
                    where,
                    key,
                    value,
                    param,
                    nonnegative=key in self.nonnegative_state,
                    shape=shapes[key],
                )
        return state


def state_size(optimizer: Optimizer) -> int:
    r"""How many numbers an optimizer's state holds: every array entry, step counters aside.

    Counted from ``optimizer.state`` as it is; a state starts at the first
    :meth:`Optimizer.step`, so count after one. For an :math:`m \times n` matrix,
    :class:`Adafactor` keeps :math:`m + n` numbers and :class:`Adam` :math:`2mn`.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.optimizers import Adafactor, Adam
    >>> W = np.zeros((64, 32))
    >>> adafactor, adam = Adafactor(W), Adam(W.copy())
    >>> state_size(adafactor)  # nothing before the first step
    0
    >>> adafactor.step(np.ones((64, 32)))
    >>> adam.step(np.ones((64, 32)))
    >>> state_size(adafactor), state_size(adam)  # 64 + 32 against 2 · 64 · 32
    (96, 4096)
    """
    return sum(
        int(np.size(value))
        for state in optimizer.state
        for key, value in state.items()
        if key != "step" and value is not None
    )
