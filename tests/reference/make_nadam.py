"""Generate ``nadam.npz``: torch.optim.NAdam's runs of NAdam's parity table.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_nadam.py

Every combination of the options below (float64 and float32), 300 steps on
``tests/optimizer_parity.py``'s gradient field, parameters of shapes (), (3,),
(2, 3) and (2, 1, 2); ``tests/torch_reference.py`` runs and stores them.
lr = 0.02 keeps every run well-conditioned in float64 (at 0.05, some runs
bounce around their minimum and amplify one ulp to 1e-8 within 300 steps).
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("nadam.npz")
BASE = {"lr": 0.02}
OPTIONS = {
    "weight_decay": (0.0, 0.05),
    "momentum_decay": (0.0, 4e-3),
    "decoupled_weight_decay": (False, True),
    "maximize": (False, True),
}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from torch_reference import table, write

    write(OUTPUT, "NAdam", table(BASE, OPTIONS))


if __name__ == "__main__":
    main()
