"""What the checks cover, in words: :func:`explain`.

The cases of a loss or an optimizer, and every mistake and hint, are read
from the checks themselves (``loss_cases``, ``optimizer_cases``, the mistakes
table); the summary of each check is written here.
"""

from __future__ import annotations

import textwrap

from optlib.check.arguments import one_of
from optlib.check.loss_cases import loss_cases, loss_spec
from optlib.check.mistakes import MISTAKES
from optlib.check.names import CROSS_ENTROPIES, LOSS_NAMES, OPTIMIZER_NAMES, SCHEDULE_KINDS
from optlib.check.optimizer_cases import STEPS, optimizer_cases


class _Text(str):
    """A string that shows as itself, without quotes, at the prompt and in a notebook."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


_CHECKS = {
    "loss": (
        'check.loss(fn, name, from_logits=False, reduction="mean")',
        "fn(y_pred, y_true) returns the loss; names: " + ", ".join(LOSS_NAMES),
    ),
    "loss_grad": (
        'check.loss_grad(fn, name, from_logits=False, reduction="mean")',
        "fn(y_pred, y_true) returns the gradient of the loss with respect to y_pred "
        "(the logits when from_logits=True), shaped like y_pred",
    ),
    "optimizer_step": (
        "check.optimizer_step(fn, name, **hyperparameters)",
        "fn(theta, grad, state, **hyperparameters) returns the new theta; names: "
        + ", ".join(OPTIMIZER_NAMES),
    ),
    "gradient": (
        "check.gradient(fn, f, points=None)",
        "fn(x) returns the gradient of the surface f (e.g. Rosenbrock()) at x, shape (d,)",
    ),
    "schedule": (
        'check.schedule(fn, kind="warmup_cosine")',
        "fn(step, **settings) returns the learning rate of that step; kinds: "
        + ", ".join(SCHEDULE_KINDS),
    ),
}


def explain(topic: str | None = None) -> str:
    """What the checks cover: their cases and the mistakes they recognise.

    Parameters
    ----------
    topic : str, optional
        A check (``"loss"``, ``"loss_grad"``, ``"optimizer_step"``,
        ``"gradient"``, ``"schedule"``), a loss (``"bce"``, ...), an optimizer
        (``"adam"``, ...) or a schedule (``"warmup_cosine"``,
        ``"step_decay"``). Without it, an overview of every check.

    Returns
    -------
    str
        Plain text, shown as is at the prompt and in a notebook.

    Examples
    --------
    >>> from optlib import check
    >>> text = check.explain("adamw")
    >>> "AdamW's decay applied as L2 to the gradient" in text
    True
    """
    topics = (*_CHECKS, *LOSS_NAMES, *OPTIMIZER_NAMES, *SCHEDULE_KINDS)
    if topic is None:
        lines = ["optlib.check: compare your implementation with optlib's.", ""]
        for check, (signature, description) in _CHECKS.items():
            titles = [m.title for m in MISTAKES.values() if m.applies_to(check)]
            lines.append(signature)
            lines += _wrapped(description)
            lines += _wrapped("cases: " + "; ".join(_cases_for(check)))
            lines += _wrapped(f"mistakes recognised ({len(titles)}): " + "; ".join(titles))
            lines.append("")
        lines.append('check.explain("adam") (or any check, loss or optimizer) lists the hints.')
        return _Text("\n".join(lines))
    topic = one_of("topic", topic, topics)
    lines = [f"What optlib.check covers for {topic!r}", "", "Cases:"]
    lines += [f"  - {case}" for case in _cases_for(topic)]
    lines += ["", "Mistakes recognised, and the hint each gives:"]
    relevant = [mistake for mistake in MISTAKES.values() if mistake.applies_to(topic)]
    specific = [m for m in relevant if any(entry.endswith(f":{topic}") for entry in m.where)]
    placeholders = {
        "name": "<name>",
        "off": "<off>",
        "value": "<value>",
        "factor": "<c>",
        "call": "<how it is called>",
        "budget": "<time_budget>",
    }
    for mistake in specific + [m for m in relevant if m not in specific]:
        hint = mistake.hint.format(**placeholders)
        lines += _wrapped(f"- {mistake.title}: {hint}", indent="  ", subsequent="    ")
    return _Text("\n".join(lines))


def _cases_for(topic: str) -> list[str]:
    if topic in ("loss", "loss_grad"):
        return [
            "several shapes (1-D, batches, a single element) in float64 and float32",
            "soft labels; probabilities of exactly 0 and 1; logits between 0 and 1; "
            "huge logits (±1e4)",
        ]
    if topic == "optimizer_step":
        return [f"{case.name}: {STEPS} steps" for case in optimizer_cases()]
    if topic == "gradient":
        return ["four points inside the surface's bounds, a minimum, a float32 point"]
    if topic in ("schedule", *SCHEDULE_KINDS):
        from optlib.check.schedules import schedule_cases

        kinds = SCHEDULE_KINDS if topic == "schedule" else (topic,)
        return [
            f"{kind}: {case.name}, steps 0–{case.steps - 1}"
            for kind in kinds
            for case in schedule_cases(kind)
        ]
    if topic in LOSS_NAMES:
        cases = loss_cases(loss_spec(topic, False, "mean", 1.0))
        if topic in CROSS_ENTROPIES:
            cases += loss_cases(loss_spec(topic, True, "mean", 1.0))[-2:]
        return list(dict.fromkeys(case.name for case in cases))
    return [f"{case.name}: {STEPS} steps" for case in optimizer_cases()]


def _wrapped(text: str, indent: str = "    ", subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=88,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
    )
