"""Readers for the OR-Library capacitated warehouse and Holmberg instances (docs/formulation.md §7).

Each instance maps onto a :class:`Network`: one supplier ``S0`` in country ``X`` with
capacity = total demand at cost 0, warehouses -> hubs (capacity, fixed cost), customers
-> markets with their demand, lanes ``S0 -> hub`` at cost 0 and ``hub -> market`` at
``allocation_cost / demand`` per unit. Holmberg instances are single-source problems
(solve them with ``Policy(single_sourcing=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .data import Network
from .exceptions import ValidationError


@dataclass(frozen=True)
class FacilityInstance:
    """A capacitated facility location instance: m facilities, n customers."""

    name: str
    capacity: np.ndarray  # (m,) units
    fixed_cost: np.ndarray  # (m,) money
    demand: np.ndarray  # (n,) units
    allocation_cost: np.ndarray  # (m, n) money for serving all of customer j from i

    def to_network(self) -> Network:
        """The instance as a Network (docs/formulation.md §7)."""
        m, n = self.allocation_cost.shape
        hubs = [f"W{i + 1}" for i in range(m)]
        markets = [f"C{j + 1}" for j in range(n)]
        total = float(self.demand.sum())
        served = self.demand > 0
        unit = np.divide(self.allocation_cost, self.demand[None, :],
                         out=np.zeros_like(self.allocation_cost), where=served[None, :])
        out_lanes = pd.DataFrame({
            "origin": np.repeat(hubs, n),
            "destination": np.tile(markets, m),
            "unit_cost": unit.ravel(),
        })
        lanes = pd.concat([
            pd.DataFrame({"origin": "S0", "destination": hubs, "unit_cost": 0.0}),
            out_lanes.loc[np.tile(served, m)],
        ], ignore_index=True)
        return Network.from_frames(
            source=self.name,
            countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
            suppliers=pd.DataFrame({"supplier": ["S0"], "country": ["X"]}),
            supplier_products=pd.DataFrame({"supplier": ["S0"], "capacity": [total]}),
            hubs=pd.DataFrame({"hub": hubs, "country": "X", "fixed_cost": self.fixed_cost,
                               "capacity": self.capacity}),
            markets=pd.DataFrame({"market": markets, "country": "X"}),
            demand=pd.DataFrame({"market": markets, "demand": self.demand}),
            lanes=lanes,
        )


def _tokens(path: Path) -> list[str]:
    raw = path.read_bytes().replace(b"\0", b" ").replace(b"\r", b" ")
    return raw.decode("ascii", errors="replace").split()


def _numbers(tokens: list[str], path: Path, what: str) -> np.ndarray:
    try:
        return np.array([float(t) for t in tokens])
    except ValueError as exc:
        raise ValidationError([f"({path.name}) | {what}: {exc}"]) from exc


def read_orlib(path: str | Path, capacity: float | None = None) -> FacilityInstance:
    """Read an OR-Library ``cap*.txt`` file; ``capacity`` is required for capa/capb/capc.

    Layout: ``m n``, m lines ``capacity fixed``, then per customer ``demand`` and m costs.
    """
    path = Path(path)
    tok = _tokens(path)
    if len(tok) < 2:
        raise ValidationError([f"({path.name}) | not an OR-Library capacitated file"])
    m, n = int(tok[0]), int(tok[1])
    head = tok[2:2 + 2 * m]
    caps = head[0::2]
    if any(c.lower() == "capacity" for c in caps):
        if capacity is None:
            raise ValidationError([f"({path.name}) | the file leaves the capacity open "
                                   "('capacity'); pass capacity=... (CLI: --capacity)"])
        cap = np.full(m, float(capacity))
    else:
        cap = _numbers(caps, path, "capacity")
        if capacity is not None:
            cap = np.full(m, float(capacity))
    fixed = _numbers(head[1::2], path, "fixed cost")
    body = _numbers(tok[2 + 2 * m:2 + 2 * m + n * (m + 1)], path, "customer data")
    if body.size != n * (m + 1):
        raise ValidationError([f"({path.name}) | expected {n * (m + 1)} customer numbers, "
                               f"found {body.size}"])
    body = body.reshape(n, m + 1)
    return FacilityInstance(path.stem, cap, fixed, body[:, 0], body[:, 1:].T.copy())


def read_holmberg(path: str | Path) -> FacilityInstance:
    """Read a Holmberg ``p*`` file (NUL padding and stray trailing numbers ignored).

    Layout: ``m n``, m lines ``capacity fixed``, n demands, m rows of n allocation costs.
    """
    path = Path(path)
    tok = _tokens(path)
    m, n = int(float(tok[0])), int(float(tok[1]))
    need = 2 + 2 * m + n + m * n
    nums = _numbers(tok[:need], path, "numbers")
    if nums.size != need:
        raise ValidationError([f"({path.name}) | expected {need} numbers, found {nums.size}"])
    head = nums[2:2 + 2 * m]
    demand = nums[2 + 2 * m:2 + 2 * m + n]
    cost = nums[2 + 2 * m + n:].reshape(m, n)
    return FacilityInstance(path.name, head[0::2].copy(), head[1::2].copy(), demand, cost)


def read_instance(path: str | Path, capacity: float | None = None) -> FacilityInstance:
    """Read either format, told apart by the file name (``cap*`` is OR-Library)."""
    path = Path(path)
    if path.name.lower().startswith("cap"):
        return read_orlib(path, capacity)
    return read_holmberg(path)
