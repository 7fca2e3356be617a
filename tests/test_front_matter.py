"""The code shown on the book's front pages runs, and does what the text says."""

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


def test_intro_training_loop_runs_and_learns():
    (loop,) = python_blocks((ROOT / "intro.md").read_text())
    namespace: dict = {}
    exec(loop, namespace)
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    # The loop recovers the weights the data was made with (1, -2, 0.5).
    np.testing.assert_allclose(model.params[0].ravel(), [1.0, -2.0, 0.5], atol=0.05)
    assert np.mean((model.forward(X) - y) ** 2) < 0.02
