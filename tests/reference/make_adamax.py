"""Generate ``adamax.npz``: torch.optim.Adamax's runs of Adamax's parity table.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_adamax.py

Every combination of the options below (float64 and float32), 300 steps on
``tests/optimizer_parity.py``'s gradient field, parameters of shapes (), (3,),
(2, 3) and (2, 1, 2); ``tests/torch_reference.py`` runs and stores them.
lr = 0.05; eps = 0.1 makes where torch adds eps (inside the maximum) matter.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("adamax.npz")
BASE = {"lr": 0.05}
OPTIONS = {
    "eps": (1e-8, 0.1),
    "weight_decay": (0.0, 0.05),
    "maximize": (False, True),
}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from torch_reference import table, write

    write(OUTPUT, "Adamax", table(BASE, OPTIONS))


if __name__ == "__main__":
    main()
