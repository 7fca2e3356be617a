"""The names the checks take: the losses, the optimizers and the reductions.

The mistakes table says where each mistake is looked for in these names
(``"loss:bce"``, ``"optimizer_step:adam"``), and ``explain`` takes any of them.
"""

from __future__ import annotations

from optlib.losses import REDUCTIONS

__all__ = ["CROSS_ENTROPIES", "LOSS_NAMES", "OPTIMIZER_NAMES", "REDUCTIONS", "SCHEDULE_KINDS"]

LOSS_NAMES = ("mse", "mae", "huber", "bce", "cce", "sparse_cce", "kl_div", "hinge")
CROSS_ENTROPIES = ("bce", "cce", "sparse_cce")  # the losses that take from_logits
OPTIMIZER_NAMES = ("sgd", "adagrad", "rmsprop", "adam", "adamw", "adamax")
SCHEDULE_KINDS = ("warmup_cosine", "step_decay")  # the schedules check.schedule knows
