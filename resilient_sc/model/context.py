"""What every constraint family receives: the linear model, the sets, the policy, the variables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import Network
from ..policy import Policy
from .linear import LinearModel, VarBlock
from .sets import Sets, positions


@dataclass(eq=False)
class Context:
    """The model under construction; families add blocks to ``lm`` and record them in ``v``."""

    lm: LinearModel
    sets: Sets
    policy: Policy
    network: Network
    strong_links: bool = True
    #: add the opening and closing costs of the one period (False: a period of a roadmap,
    #: whose transitions are linked across periods, model/roadmap.py)
    transitions: bool = True
    v: dict[str, VarBlock] = field(default_factory=dict)
    #: leave out survive copies of more recourse columns than this (or than the recourse limit),
    #: recording their failures in :attr:`deferred` for a solver that builds copies on demand
    #: (None: build them, or refuse them over the limit)
    defer_failures: int | None = None
    deferred: pd.DataFrame | None = None

    def rows_of(self, keys: pd.DataFrame, target: pd.DataFrame, cols: list[str]) -> np.ndarray:
        """Positions of ``keys`` rows in ``target`` on ``cols``; every key must be found."""
        pos = positions(keys, target, cols)
        assert (pos >= 0).all(), f"internal: unmatched keys on {cols}"
        return pos


def local(n: int) -> np.ndarray:
    """0 .. n-1 as int64 (the local columns of a whole block)."""
    return np.arange(n, dtype=np.int64)
