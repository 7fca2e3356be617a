"""Generate ``radam.npz``: torch.optim.RAdam's runs of RAdam's parity table.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_radam.py

Every combination of the options below (float64 and float32), 300 steps on
``tests/optimizer_parity.py``'s gradient field, parameters of shapes (), (3,),
(2, 3) and (2, 1, 2); ``tests/torch_reference.py`` runs and stores them.
lr = 0.05; betas (0.9, 0.5) make rho_inf = 3 < 5: every step is the un-adapted
one, while with (0.9, 0.999) the first five are and the rest are adapted.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("radam.npz")
BASE = {"lr": 0.05}
OPTIONS = {
    "betas": ((0.9, 0.999), (0.9, 0.5)),
    "weight_decay": (0.0, 0.05),
    "decoupled_weight_decay": (False, True),
    "maximize": (False, True),
}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from torch_reference import table, write

    write(OUTPUT, "RAdam", table(BASE, OPTIONS))


if __name__ == "__main__":
    main()
