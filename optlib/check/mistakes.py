"""The classic mistakes the checks recognise, each with the hint it gives a student.

This module is a table, :data:`MISTAKES`, and it is long on purpose: one
:class:`Mistake` per mistake, each a few words of title and one sentence of
hint written for a student, grouped as the checks are (loss values, loss
gradients, numerical stability and calls, gradients of surfaces, optimizers).
Keeping every hint in one place lets a writer read them together and keep
their voice the same; splitting the table would only scatter the prose.

The table holds no logic. What recognises a mistake is a known-wrong variant
of the reference computed on the same cases, under the same key:
:mod:`optlib.check.loss_mutants`, :mod:`optlib.check.optimizer_mutants`, and
the few in :mod:`optlib.check.gradients`. :func:`hint_for` fills in a hint's
``{name}``-style fields when it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optlib.check.names import CROSS_ENTROPIES, LOSS_NAMES, OPTIMIZER_NAMES, SCHEDULE_KINDS


@dataclass(frozen=True)
class Mistake:
    """A classic mistake that a check recognises, and the hint it gives a student.

    Attributes
    ----------
    key : str
        Short identifier, reported as :attr:`CheckResult.mistake`.
    where : tuple of str
        Where it is looked for: ``"check"`` or ``"check:name"`` entries, e.g.
        ``"loss:bce"``, ``"optimizer_step:adam"`` or ``"schedule:warmup_cosine"``.
    title : str
        What the mistake is, in a few words.
    hint : str
        One sentence for the student; ``{name}``-style fields are filled in
        when the hint is given.

    Examples
    --------
    >>> mistake = MISTAKES["sum_not_mean"]
    >>> mistake.title, mistake.applies_to("mse")
    ('sum instead of mean', True)
    """

    key: str
    where: tuple[str, ...]
    title: str
    hint: str

    def applies_to(self, topic: str) -> bool:
        """Whether the check, loss or optimizer named ``topic`` looks for the mistake."""
        checks = {"loss", "loss_grad"} if topic in LOSS_NAMES else set()
        if topic in OPTIMIZER_NAMES:
            checks = {"optimizer_step"}
        if topic in SCHEDULE_KINDS:
            checks = {"schedule"}
        return any(
            entry == topic
            or entry in checks  # a mistake looked for whatever the name
            or entry.startswith(f"{topic}:")
            or entry.endswith(f":{topic}")
            for entry in self.where
        )


def _on(check: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{check}:{name}" for name in names) if names else (check,)


_ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")  # the rules that divide by a root

# Public as optlib.check.MISTAKES, and documented there.
MISTAKES: dict[str, Mistake] = {
    mistake.key: mistake
    for mistake in (
        # --- loss values ---------------------------------------------------
        Mistake(
            "negated",
            _on("loss"),
            "the sign is flipped",
            "Your values have the opposite sign: a loss is never negative "
            "(cross-entropy is minus the log-likelihood, −Σ y·log ŷ).",
        ),
        Mistake(
            "sum_not_mean",
            _on("loss"),
            "sum instead of mean",
            'You summed the losses: with reduction="mean" divide by their number '
            "(for CCE, by the number of examples n), e.g. with np.mean.",
        ),
        Mistake(
            "mean_not_sum",
            _on("loss"),
            "mean instead of sum",
            'You averaged the losses: with reduction="sum" add them up without '
            "dividing by their number.",
        ),
        Mistake(
            "mean_over_classes",
            _on("loss", "cce", "sparse_cce", "kl_div"),
            "mean over all n·C entries instead of over the n examples",
            "You averaged over all n·C entries: sum each example's loss over its "
            "classes (axis=1), then average over the n examples.",
        ),
        Mistake(
            "log_base",
            _on("loss", *CROSS_ENTROPIES) + _on("loss_grad", *CROSS_ENTROPIES),
            "log base 10 (or 2) instead of the natural log",
            "Cross-entropy uses the natural logarithm: np.log, not np.log10 or np.log2.",
        ),
        Mistake(
            "forgot_activation",
            _on("loss", *CROSS_ENTROPIES) + _on("loss_grad", *CROSS_ENTROPIES),
            "logits used as probabilities (from_logits=True)",
            "With from_logits=True the inputs are logits: turn them into probabilities "
            "(sigmoid for BCE, softmax over each row for CCE) before the log, or better, "
            "compute the log-probabilities directly (softplus, log-sum-exp).",
        ),
        Mistake(
            "extra_activation",
            _on("loss", *CROSS_ENTROPIES) + _on("loss_grad", *CROSS_ENTROPIES),
            "a sigmoid or softmax applied to probabilities (from_logits=False)",
            "With from_logits=False the inputs are already probabilities: don't apply "
            "a sigmoid or softmax to them again.",
        ),
        Mistake(
            "rmse",
            _on("loss", "mse"),
            "a square root (RMSE)",
            "You took a square root, which gives the RMSE: MSE is the mean of the squared "
            "residuals, without a root.",
        ),
        Mistake(
            "half_mse",
            _on("loss", "mse"),
            "a factor ½",
            "You multiplied by ½: MSE as in PyTorch and Keras is the plain mean of "
            "(ŷ − y)², without the ½ some textbooks add.",
        ),
        Mistake(
            "not_squared",
            _on("loss", "mse"),
            "residuals not squared",
            "Square each residual, (ŷ − y)²: without the square, positive and negative "
            "errors cancel.",
        ),
        Mistake(
            "not_absolute",
            _on("loss", "mae"),
            "residuals without absolute value",
            "Take the absolute value of each residual, |ŷ − y|: without it, positive and "
            "negative errors cancel.",
        ),
        Mistake(
            "mae_squared",
            _on("loss", "mae"),
            "squared residuals (that is MSE)",
            "You squared the residuals, which gives MSE: MAE uses their absolute value |ŷ − y|.",
        ),
        Mistake(
            "huber_no_half",
            _on("loss", "huber") + _on("loss_grad", "huber"),
            "r² instead of ½r² in the quadratic piece",
            "The quadratic piece of the Huber loss is ½r² (gradient r), not r² (gradient 2r): "
            "with the ½ the two pieces meet smoothly at |r| = δ.",
        ),
        Mistake(
            "huber_no_offset",
            _on("loss", "huber"),
            "δ|r| instead of δ(|r| − ½δ) in the linear piece",
            "The linear piece of the Huber loss is δ(|r| − ½δ): without the −½δ it does not "
            "meet the quadratic piece at |r| = δ.",
        ),
        Mistake(
            "clipped_too_much",
            _on("loss", "bce", "cce", "sparse_cce"),
            "probabilities clipped too far from 0 and 1",
            "You clip the probabilities too far from 0 and 1: a confident wrong prediction "
            "must cost a lot (PyTorch gives 100 per element, Keras's clip at 1e-7 gives 16.1), "
            "so clip at 1e-7 or closer.",
        ),
        Mistake(
            "kl_reversed",
            _on("loss", "kl_div"),
            "KL(q ‖ p) instead of KL(p ‖ q)",
            "You computed the divergence the other way round, Σ q·(log q − log p): kl_div "
            "weighs by the target p, Σ p·(log p − log q), with log_q the first argument.",
        ),
        Mistake(
            "hinge_no_margin",
            _on("loss", "hinge"),
            "max(0, −y·s): the margin of 1 is missing",
            "The hinge asks for a margin of 1: max(0, 1 − y·s), so a score with the right "
            "sign but y·s < 1 still costs something.",
        ),
        # --- gradients of losses ------------------------------------------
        Mistake(
            "grad_negated",
            _on("loss_grad"),
            "the gradient's sign is flipped",
            "Your gradient has the wrong sign: it points towards larger loss (for MSE it is "
            "2(ŷ − y), not 2(y − ŷ)).",
        ),
        Mistake(
            "grad_not_divided",
            _on("loss_grad"),
            "the gradient of the mean not divided by n",
            'Your gradient is n times too large: with reduction="mean" the loss is divided '
            "by the number of elements (examples, for CCE), so its gradient is too.",
        ),
        Mistake(
            "grad_divided",
            _on("loss_grad"),
            "the gradient of a sum divided by n",
            'With reduction="sum" (or "none") the gradient is not divided by the number '
            "of elements.",
        ),
        Mistake(
            "grad_divided_by_nC",
            _on("loss_grad", "cce", "sparse_cce", "kl_div"),
            "the gradient divided by n·C instead of n",
            "Divide the gradient by the number of examples n, not by n·C: the loss averages "
            "over the examples, each of which sums over its C classes.",
        ),
        Mistake(
            "mse_missing_2",
            _on("loss_grad", "mse"),
            "the factor 2 missing from the MSE gradient",
            "The factor 2 is missing: the derivative of (ŷ − y)² is 2(ŷ − y).",
        ),
        Mistake(
            "mae_sign_at_zero",
            _on("loss_grad", "mae"),
            "±1 instead of 0 at a zero residual",
            "At a zero residual the gradient of |r| is taken as 0, as np.sign(0) and PyTorch "
            "give, not +1 or −1.",
        ),
        Mistake(
            "hinge_kink",
            _on("loss_grad", "hinge"),
            "−y instead of 0 on the margin (y·s = 1)",
            "On the margin, y·s = 1, the hinge's gradient is taken as 0, as PyTorch does at "
            "kinks: test y·s < 1, not y·s <= 1.",
        ),
        Mistake(
            "grad_forgot_activation",
            _on("loss_grad", *CROSS_ENTROPIES),
            "z − y instead of σ(z) − y (from_logits=True)",
            "With from_logits=True apply the activation first: the gradient with respect to "
            "the logits is σ(z) − y for BCE and softmax(z) − y for CCE, not z − y.",
        ),
        Mistake(
            "grad_wrt_probabilities",
            _on("loss_grad", *CROSS_ENTROPIES),
            "the gradient with respect to the probabilities (from_logits=True)",
            "With from_logits=True the gradient is with respect to the logits: chain the "
            "probability gradient through the sigmoid or softmax, which simplifies to "
            "σ(z) − y (softmax(z) − y for CCE).",
        ),
        # --- numerical stability, shapes, calls ------------------------------
        Mistake(
            "unstable_probabilities",
            _on("loss", "bce", "cce", "sparse_cce") + _on("loss_grad", "bce", "cce", "sparse_cce"),
            "log(0) or division by 0 at probabilities of 0 or 1",
            "Your function gave inf/nan or a warning at probabilities of exactly 0 or 1: clip "
            "them before taking logs or dividing, e.g. y_pred = np.clip(y_pred, 1e-7, 1 - 1e-7), "
            "so that 0·log 0 gives 0.",
        ),
        Mistake(
            "unstable_bce_logits",
            _on("loss", "bce") + _on("loss_grad", "bce"),
            "exp overflow or log(0) at large logits",
            "Large logits overflow np.exp or round σ(z) to exactly 0 or 1: exponentiate only "
            "−|z|, e.g. −log σ(z) = np.logaddexp(0, −z) and "
            "σ(z) = np.where(z >= 0, 1, np.exp(z)) / (1 + np.exp(−|z|)).",
        ),
        Mistake(
            "unstable_cce_logits",
            _on("loss", "cce", "sparse_cce") + _on("loss_grad", "cce", "sparse_cce"),
            "exp overflow at large logits (no log-sum-exp)",
            "Large logits overflow np.exp: subtract each row's maximum m before exponentiating "
            "(log-sum-exp), log softmax(z) = z − m − log Σ exp(z − m).",
        ),
        Mistake(
            "unstable",
            _on("loss", "mse", "mae", "huber", "kl_div", "hinge")
            + _on("loss_grad", "mse", "mae", "huber", "kl_div", "hinge")
            + _on("gradient"),
            "inf/nan or a warning where the reference is finite",
            "Your function gave inf/nan or a NumPy warning where the expected result is finite: "
            "look for an overflow or a division by zero.",
        ),
        Mistake(
            "scalar_expected",
            _on("loss"),
            "an array returned where a single number is expected",
            "Return a single number: reduce the per-element losses with their mean (or their "
            'sum for reduction="sum").',
        ),
        Mistake(
            "per_element_expected",
            _on("loss"),
            'a reduced value returned for reduction="none"',
            'With reduction="none" return the loss of each element (of each example for CCE), '
            "without averaging or summing.",
        ),
        Mistake(
            "per_example_expected",
            _on("loss", "cce", "sparse_cce"),
            'an (n, C) array returned for reduction="none"',
            'With reduction="none" return one loss per example, shape (n,): sum over the '
            "classes (axis=1).",
        ),
        Mistake(
            "grad_shape",
            _on("loss_grad"),
            "a gradient not shaped like y_pred",
            "The gradient has the shape of y_pred: one partial derivative per prediction.",
        ),
        Mistake(
            "returned_none",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("schedule"),
            "nothing returned",
            "Your function returned None: is a `return` missing?",
        ),
        Mistake(
            "step_returned_none",
            _on("optimizer_step"),
            "nothing returned",
            "Your function returned None: return the new theta, also when you update theta in "
            "place (end with `return theta`).",
        ),
        Mistake(
            "signature",
            _on("loss")
            + _on("loss_grad")
            + _on("gradient")
            + _on("optimizer_step")
            + _on("schedule"),
            "a signature that does not fit the call",
            "Your function's arguments do not fit the call: {call}.",
        ),
        Mistake(
            "timeout",
            _on("loss")
            + _on("loss_grad")
            + _on("gradient")
            + _on("optimizer_step")
            + _on("schedule"),
            "a function that does not return (an endless loop)",
            "Your function did not return within the check's time budget of {budget} s: look "
            "for a loop whose condition never becomes false (a `while` whose variables never "
            "change) or a recursion without a base case. If it is only slow, give the check "
            "more time, e.g. time_budget=60.",
        ),
        Mistake(
            "base_exception",
            _on("loss")
            + _on("loss_grad")
            + _on("gradient")
            + _on("optimizer_step")
            + _on("schedule"),
            "sys.exit() or another BaseException raised",
            "Your function raised {name}, which is not an ordinary error: sys.exit() "
            "(SystemExit) ends a script and stops a notebook's kernel. Return the result "
            "instead; to signal a problem raise an ordinary exception such as ValueError.",
        ),
        Mistake(
            "all_zero",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("schedule"),
            "only zeros",
            "Your function returns only zeros: its body still needs the computation.",
        ),
        Mistake(
            "no_step",
            _on("optimizer_step"),
            "theta returned unchanged",
            "Your function returns theta unchanged: it takes no step yet.",
        ),
        Mistake(
            "constant_factor",
            _on("loss")
            + _on("loss_grad")
            + _on("gradient")
            + _on("optimizer_step")
            + _on("schedule"),
            "off by a constant factor",
            "Your results are all {factor} times the expected ones: look for a missing or "
            "extra constant factor.",
        ),
        # --- gradients of surfaces ----------------------------------------
        Mistake(
            "surface_negated",
            _on("gradient"),
            "the gradient's sign is flipped",
            "Your gradient points downhill: ∇f points where f increases fastest (a descent "
            "step subtracts it).",
        ),
        Mistake(
            "surface_half",
            _on("gradient"),
            "half the gradient",
            "Your gradient is half the expected one: a factor 2 from differentiating a "
            "square is missing.",
        ),
        Mistake(
            "surface_double",
            _on("gradient"),
            "twice the gradient",
            "Your gradient is twice the expected one: there is an extra factor 2.",
        ),
        Mistake(
            "surface_swapped",
            _on("gradient"),
            "components in the wrong order",
            "Your components are in the wrong order: the first entry is ∂f/∂x, the second ∂f/∂y.",
        ),
        Mistake(
            "surface_shape",
            _on("gradient"),
            "a gradient not shaped like x",
            "Return one partial derivative per coordinate: an array of shape (d,), like x.",
        ),
        # --- optimizers ---------------------------------------------------
        Mistake(
            "uphill",
            _on("optimizer_step"),
            "moving uphill (the sign of the step is flipped)",
            "Your steps go uphill: subtract the step, θ ← θ − α·(direction), so that the loss "
            "decreases.",
        ),
        Mistake(
            "lr_twice",
            _on("optimizer_step"),
            "the learning rate applied twice",
            "The learning rate is applied twice: multiply by lr once, in the final update "
            "θ ← θ − α·(direction).",
        ),
        Mistake(
            "lr_forgotten",
            _on("optimizer_step"),
            "the learning rate forgotten",
            "The learning rate is missing: the update is θ ← θ − α·(direction), scaled by lr.",
        ),
        Mistake(
            "momentum_sutskever",
            _on("optimizer_step", "sgd"),
            "the Sutskever/Keras momentum convention",
            "You put the learning rate inside the velocity (v ← μv − αg, θ ← θ + v: the "
            "Sutskever/Keras convention); PyTorch accumulates the raw gradient, b ← μb + g, "
            "and scales it at the end, θ ← θ − αb, which differs once the learning rate changes.",
        ),
        Mistake(
            "momentum_ema",
            _on("optimizer_step", "sgd"),
            "the (1 − μ)-weighted momentum",
            "You weighted the gradient by (1 − μ), b ← μb + (1 − μ)g; PyTorch's momentum adds "
            "the whole gradient, b ← μb + g (the weighted form is dampening=momentum).",
        ),
        Mistake(
            "momentum_dampened_first_step",
            _on("optimizer_step", "sgd"),
            "dampening applied at the first step",
            "PyTorch's first momentum step copies the gradient, b₁ = g₁, undamped; the "
            "dampening (1 − τ) applies from the second step on.",
        ),
        Mistake(
            "nesterov_missing",
            _on("optimizer_step", "sgd"),
            "Nesterov momentum missing",
            "With nesterov=True step along g + μb, the gradient plus the momentum look-ahead, "
            "not along b.",
        ),
        Mistake(
            "eps_inside_sqrt",
            _on("optimizer_step", *_ADAPTIVE),
            "ε inside the square root (TensorFlow style)",
            "ε goes outside the square root, √v + ε (PyTorch), not inside it, √(v + ε) "
            "(TensorFlow's form).",
        ),
        Mistake(
            "eps_missing",
            _on("optimizer_step", *_ADAPTIVE),
            "ε missing from the denominator",
            "Add ε to the denominator, √v + ε: without it a zero gradient gives 0/0.",
        ),
        Mistake(
            "keras_epsilon",
            _on("optimizer_step", *_ADAPTIVE),
            "Keras's default ε = 1e-7",
            "Your steps match eps=1e-7, Keras's default; PyTorch's default here is eps={value}.",
        ),
        Mistake(
            "no_sqrt",
            _on("optimizer_step", *_ADAPTIVE),
            "no square root in the denominator",
            "Divide by the square root of the accumulated squared gradients, √v + ε, not by "
            "v itself.",
        ),
        Mistake(
            "adagrad_keras_initial",
            _on("optimizer_step", "adagrad"),
            "Keras's initial accumulator 0.1",
            "You started the sum of squared gradients at 0.1 (Keras's "
            "initial_accumulator_value); PyTorch starts it at initial_accumulator_value=0 "
            "unless told otherwise.",
        ),
        Mistake(
            "adagrad_lr_decay_step",
            _on("optimizer_step", "adagrad"),
            "α/(1 + tη) instead of α/(1 + (t − 1)η)",
            "The decayed learning rate is α/(1 + (t − 1)η): the first step uses the full lr.",
        ),
        Mistake(
            "rmsprop_keras_rho",
            _on("optimizer_step", "rmsprop"),
            "Keras's decay 0.9 instead of alpha=0.99",
            "Your moving average decays with 0.9 (Keras's rho); PyTorch's RMSprop uses "
            "alpha=0.99 unless told otherwise.",
        ),
        Mistake(
            "rmsprop_missing_one_minus",
            _on("optimizer_step", "rmsprop"),
            "v ← αv + g² instead of v ← αv + (1 − α)g²",
            "The moving average is v ← αv + (1 − α)g²: the factor (1 − α) on the new squared "
            "gradient is missing.",
        ),
        Mistake(
            "rmsprop_lr_in_buffer",
            _on("optimizer_step", "rmsprop"),
            "the learning rate inside the momentum buffer",
            "Keep the learning rate out of the momentum buffer: PyTorch's RMSprop does "
            "b ← μb + g/(√v + ε), θ ← θ − αb.",
        ),
        Mistake(
            "adam_no_bias_correction",
            _on("optimizer_step", "adam", "adamw"),
            "no bias correction",
            "Adam divides the moments by their bias corrections, m̂ = m/(1 − β₁ᵗ) and "
            "ŝ = s/(1 − β₂ᵗ): without them the early steps have the wrong length (with the "
            "default betas about 3 times too long at first).",
        ),
        Mistake(
            "adamax_no_bias_correction",
            _on("optimizer_step", "adamax"),
            "no bias correction of the first moment",
            "Adamax divides its step size by 1 − β₁ᵗ, the first moment's bias correction, "
            "as Adam does: α/(1 − β₁ᵗ) · m/u. Only u, a maximum, needs no correction.",
        ),
        Mistake(
            "adam_step_count",
            _on("optimizer_step", "adam", "adamw"),
            "bias correction with the wrong step count",
            "Your bias correction uses the wrong step count: t is 1 at the first step "
            "(increment it before computing 1 − βᵗ).",
        ),
        Mistake(
            "adam_epsilon_hat",
            _on("optimizer_step", "adam", "adamw"),
            "bias corrections folded into the learning rate (TensorFlow's form)",
            "You folded the bias corrections into the learning rate (TensorFlow's form), "
            "which leaves ε unscaled; PyTorch adds ε to √ŝ after correcting s.",
        ),
        Mistake(
            "adam_betas_swapped",
            _on("optimizer_step", "adam", "adamw"),
            "β₁ and β₂ swapped",
            "β₁ and β₂ are swapped: β₁ (0.9) averages the gradient m, β₂ (0.999) averages its "
            "square v.",
        ),
        Mistake(
            "adam_decoupled",
            _on("optimizer_step", "adam"),
            "decoupled weight decay in Adam",
            "Adam's weight_decay is an L2 penalty: add λθ to the gradient before the moment "
            "updates (the decoupled decay is AdamW).",
        ),
        Mistake(
            "adamw_l2",
            _on("optimizer_step", "adamw"),
            "AdamW's decay applied as L2 to the gradient",
            "AdamW's decay is decoupled: shrink θ ← θ(1 − αλ) directly, instead of adding λθ "
            "to the gradient as Adam's L2 weight_decay does.",
        ),
        Mistake(
            "adamw_decay_without_lr",
            _on("optimizer_step", "adamw"),
            "AdamW's decay not scaled by the learning rate",
            "Multiply the decay by the learning rate: θ ← θ(1 − αλ), as PyTorch does, not "
            "θ(1 − λ).",
        ),
        Mistake(
            "ignored_hyperparameter",
            _on("optimizer_step"),
            "a hyper-parameter ignored",
            "Your steps match {name}={off}: your function seems to ignore {name}={value}.",
        ),
        Mistake(
            "unstable_update",
            _on("optimizer_step"),
            "inf/nan or a warning where PyTorch's step is finite",
            "Your update gave inf/nan or a NumPy warning where PyTorch's is finite: check the "
            "denominator (ε keeps it nonzero) and the step count in the bias corrections.",
        ),
        Mistake(
            "theta_shape",
            _on("optimizer_step"),
            "a result not shaped like theta",
            "Return the new theta, an array with the shape of theta.",
        ),
        # --- learning-rate schedules -------------------------------------
        Mistake(
            "schedule_one_step_ahead",
            _on("schedule"),
            "the schedule one step ahead (stepped before the optimizer)",
            "Your rate at step t is the one of step t + 1, which is what a training loop gives "
            "when it calls scheduler.step() before optimizer.step(): step 0 uses the starting "
            "rate (0 at the start of a warm-up), and the schedule moves on after each "
            "optimizer step.",
        ),
        Mistake(
            "warmup_off_by_one",
            _on("schedule", "warmup_cosine"),
            "the warm-up one step off",
            "Your warm-up is one step off: the rate is peak·t/warmup, 0 at step 0 and the peak "
            "at step warmup, where the cosine starts (not peak·(t + 1)/warmup, nor "
            "peak·t/(warmup − 1)).",
        ),
        Mistake(
            "cosine_over_total",
            _on("schedule", "warmup_cosine"),
            "the cosine over the whole run instead of total − warmup",
            "Your cosine is spread over the whole run: after the warm-up it has total − warmup "
            "steps left, so its progress is (t − warmup)/(total − warmup), which goes from 0 "
            "at the end of the warm-up to 1 at step total.",
        ),
        Mistake(
            "decays_to_zero",
            _on("schedule", "warmup_cosine"),
            "a decay to 0 instead of min_lr",
            "Your rate ends at 0 instead of min_lr: the cosine goes from the peak down to "
            "min_lr, min_lr + ½(peak − min_lr)(1 + cos(π·progress)).",
        ),
        Mistake(
            "cosine_amplitude",
            _on("schedule", "warmup_cosine"),
            "the cosine's amplitude peak instead of peak − min_lr",
            "The cosine's amplitude is peak − min_lr, min_lr + ½(peak − min_lr)(1 + cos(π·"
            "progress)): with ½·peak·(1 + cos) on top of min_lr the rate starts at "
            "peak + min_lr.",
        ),
        Mistake(
            "cosine_no_half",
            _on("schedule", "warmup_cosine"),
            "the ½ of the cosine missing",
            "The ½ is missing: ½(1 + cos(π·progress)) goes from 1 to 0, while 1 + cos goes "
            "from 2 to 0 and starts the decay at twice the peak.",
        ),
        Mistake(
            "cosine_degrees",
            _on("schedule", "warmup_cosine"),
            "degrees instead of radians in the cosine",
            "math.cos and np.cos take radians: the argument is π·progress (π at the end of the "
            "decay), not 180·progress, and it needs no conversion with math.radians.",
        ),
        Mistake(
            "step_decay_continuous",
            _on("schedule", "step_decay"),
            "a smooth decay instead of steps",
            "Your rate decays at every step: a step decay keeps the rate for step_size steps, "
            "peak·gamma**(step // step_size), with the integer division.",
        ),
        Mistake(
            "step_decay_ceil",
            _on("schedule", "step_decay"),
            "the cut counted by rounding up",
            "Your first cut comes at step 1: the number of cuts so far is step // step_size "
            "(rounded down), so the rate stays at the peak for steps 0 to step_size − 1.",
        ),
        Mistake(
            "step_size_ignored",
            _on("schedule", "step_decay"),
            "step_size ignored",
            "Your rate is cut at every step: divide the step by step_size, "
            "peak·gamma**(step // step_size).",
        ),
        Mistake(
            "schedule_unstable",
            _on("schedule"),
            "inf/nan, an error or a warning where the rate is finite",
            "Your function gave inf/nan or a NumPy warning where the rate is finite: look for "
            "a division by zero (by warmup, or by total − warmup) or an overflow.",
        ),
        Mistake(
            "warmup_division_by_zero",
            _on("schedule", "warmup_cosine"),
            "a division by warmup = 0",
            "Your function divides by warmup, which is 0 when there is no warm-up: compute "
            "step / warmup only when step < warmup.",
        ),
        Mistake(
            "schedule_shape",
            _on("schedule"),
            "an array returned instead of a number",
            "Return the rate of the one step asked for, a number, not an array of rates.",
        ),
    )
}


def hint_for(key: str, **fields: Any) -> str:
    """The hint of mistake ``key``, its ``{name}``-style fields filled in from ``fields``."""
    return MISTAKES[key].hint.format(**fields) if fields else MISTAKES[key].hint
