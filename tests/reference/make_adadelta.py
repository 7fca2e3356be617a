"""Generate ``adadelta.npz``: torch.optim.Adadelta's runs of Adadelta's parity table.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_adadelta.py

Every combination of the options below (float64 and float32), 300 steps on
``tests/optimizer_parity.py``'s gradient field, parameters of shapes (), (3,),
(2, 3) and (2, 1, 2); ``tests/torch_reference.py`` runs and stores them.
lr = 1.0 (the default); rho = 0 keeps no memory. rho = 1, which torch
accepts and which freezes both averages at zero (plain gradient steps), is
run without maximize only: ascent with lr = 1 then doubles the parameters
every step and overflows float32.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("adadelta.npz")
BASE = {"lr": 1.0}
OPTIONS = {
    "rho": (0.0, 0.9),
    "weight_decay": (0.0, 0.05),
    "maximize": (False, True),
}
EXTRA = [{"rho": 1.0, "weight_decay": 0.0}, {"rho": 1.0, "weight_decay": 0.05}]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from torch_reference import table, write

    write(OUTPUT, "Adadelta", table(BASE, OPTIONS, EXTRA))


if __name__ == "__main__":
    main()
