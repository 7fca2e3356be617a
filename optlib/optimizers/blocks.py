"""Large parameters: the same rule, one cache-sized block at a time.

A rule makes several passes over its arrays, one per NumPy operation. Over a
whole parameter of millions of elements every pass goes to main memory; over a
block of ``BLOCK_SIZE`` elements the passes after the first find the block in
the processor's cache, so only the parameter, its gradient and its state travel
to and from main memory, once each. Every operation of a rule is element-wise,
so the result is bitwise that of one call on the whole arrays. (A rule that is
not, such as Adafactor's row and column means or Muon's matrix products, says
so with ``Optimizer.elementwise = False``, and ``step`` never sends it here.) ``make bench``
measures the effect against ``torch.optim``. No chapter's parameters are this
large: this module is how optlib keeps up with PyTorch, out of the rules' way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["BLOCK_SIZE", "update"]

BLOCK_SIZE = 1 << 16
"""Elements per block (256 KB in float32, 512 KB in float64): a parameter of at least
twice as many is updated block by block. Blocks of 2**16 elements beat 2**18 for
RMSprop and Adam in ``make bench`` (three alternating runs, 2026-12-07); the rule's
temporaries of a smaller block stay in the core's 2 MB L2 cache."""


def _blockable(
    param: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyperparameters: dict[str, Any]
) -> bool:
    """Blocks need flat views of every array, and no array hyper-parameter to broadcast.

    Every array of the state must have the parameter's shape: a state entry of
    one number per run (NAdam's ``mu_product``) left as an array by an earlier
    sweep cannot be cut into blocks.
    """
    if param.size < 2 * BLOCK_SIZE:
        return False
    arrays = [param, grad, *(value for value in state.values() if isinstance(value, np.ndarray))]
    sweep = any(
        isinstance(part, np.ndarray)
        for value in hyperparameters.values()
        for part in (value if isinstance(value, tuple) else (value,))
    )
    return not sweep and all(
        array.shape == param.shape and array.flags.c_contiguous for array in arrays
    )


def update(
    rule: Callable[..., None],
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    hyperparameters: dict[str, Any],
) -> None:
    """Apply ``rule`` to one parameter in place: whole, or block by block when large.

    Each block gets a state dict of views into the parameter's state. What the
    rule creates (the state of a first step) is gathered afterwards, and what it
    counts or multiplies up (``"step"``, NAdam's ``"mu_product"``), the same in
    every block, is read back from the first block.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.optimizers import sgd_step
    >>> theta, state = np.ones(2 * BLOCK_SIZE), {}
    >>> update(sgd_step, theta, np.ones_like(theta), state, {"lr": 0.5, "momentum": 0.9,
    ...        "dampening": 0.0, "weight_decay": 0.0, "nesterov": False, "maximize": False})
    >>> float(theta[0]), float(theta[-1]), state["momentum_buffer"].shape == theta.shape
    (0.5, 0.5, True)
    """
    if not _blockable(param, grad, state, hyperparameters):
        rule(param, grad, state, **hyperparameters)
        return
    block_states = []
    for start in range(0, param.size, BLOCK_SIZE):
        block = slice(start, start + BLOCK_SIZE)
        block_state = {
            key: value.reshape(-1)[block] if isinstance(value, np.ndarray) else value
            for key, value in state.items()
        }
        rule(param.reshape(-1)[block], grad.reshape(-1)[block], block_state, **hyperparameters)
        block_states.append(block_state)
    for key, value in block_states[0].items():
        if not isinstance(value, np.ndarray):
            state[key] = value
        elif key not in state:
            parts = [block_state[key] for block_state in block_states]
            state[key] = np.concatenate(parts).reshape(param.shape)
