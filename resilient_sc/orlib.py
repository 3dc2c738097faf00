"""Readers for the OR-Library capacitated warehouse and Holmberg instances (docs/formulation.md §7).

Each instance maps onto a :class:`Network`: one supplier ``S0`` in country ``X`` with
capacity = total demand at cost 0, warehouses -> hubs (capacity, fixed cost), customers
-> markets with their demand, lanes ``S0 -> hub`` at cost 0 and ``hub -> market`` at
``allocation_cost / demand`` per unit. Holmberg instances are single-source problems
(solve them with ``Policy(single_sourcing=True)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .data import Network
from .exceptions import ValidationError
from .limits import current, read_bytes


@dataclass(frozen=True)
class FacilityInstance:
    """A capacitated facility location instance: m facilities, n customers."""

    name: str
    capacity: np.ndarray  # (m,) units
    fixed_cost: np.ndarray  # (m,) money
    demand: np.ndarray  # (n,) units
    allocation_cost: np.ndarray  # (m, n) money for serving all of customer j from i
    single_source: bool = False  # Holmberg's: published optima assign each customer one facility

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


class _Tokens(list):
    """The whitespace-separated tokens of an instance file, with the line of each."""

    def __init__(self, path: Path):
        limits = current()  # read within the input file limit, as every table is
        raw = read_bytes(path, path.name, limits.file_bytes, "file_mb", limits)
        raw = raw.replace(b"\0", b" ").replace(b"\r", b" ")
        lines = raw.decode("ascii", errors="replace").split("\n")
        super().__init__(t for line in lines for t in line.split())
        self.line = np.repeat(np.arange(1, len(lines) + 1), [len(line.split()) for line in lines])
        self.path = path

    def numbers(self, start: int, stop: int, what: str, step: int = 1) -> np.ndarray:
        """Tokens ``start:stop:step`` as finite numbers; else a ValidationError naming file and line."""
        at = range(start, min(stop, len(self)), step)
        out = np.empty(len(at))
        for k, i in enumerate(at):
            try:
                out[k] = float(self[i])
            except ValueError:
                out[k] = np.nan
            if not np.isfinite(out[k]):
                raise ValidationError([f"({self.path.name}) | line {self.line[i]}: {what}: "
                                       f"{self[i][:40]!r} is not a finite number"])
        return out

    def count(self, k: int, what: str) -> int:
        """Token ``k`` as a whole number >= 1 (``12`` or ``12.0``), the size of the instance."""
        value = self.numbers(k, k + 1, what)[0] if k < len(self) else np.nan
        if not (value >= 1 and value == int(value)):
            raise ValidationError([f"({self.path.name}) | line {self.line[k] if k < len(self) else 1}: "
                                   f"{what} must be a whole number >= 1"])
        return int(value)

    def need(self, n: int) -> None:
        if len(self) < n:
            raise ValidationError([f"({self.path.name}) | expected {n} numbers, found {len(self)}"])


def read_orlib(path: str | Path, capacity: float | None = None) -> FacilityInstance:
    """Read an OR-Library ``cap*.txt`` file; ``capacity`` is required for capa/capb/capc and refused
    for the others, which give their own.

    Layout: ``m n``, m lines ``capacity fixed``, then per customer ``demand`` and m costs.
    Every number must be finite; a problem names the file and line.
    """
    path = Path(path)
    if capacity is not None and not 0 < capacity < np.inf:
        raise ValidationError([f"({path.name}) | capacity = {capacity!r}: give a finite number > 0"])
    tok = _Tokens(path)
    if len(tok) < 2:
        raise ValidationError([f"({path.name}) | not an OR-Library capacitated file"])
    m, n = tok.count(0, "the number of warehouses"), tok.count(1, "the number of customers")
    tok.need(2 + 2 * m + n * (m + 1))
    caps = tok[2:2 + 2 * m:2]
    if any(c.lower() == "capacity" for c in caps):
        if capacity is None:
            raise ValidationError([f"({path.name}) | the file leaves the capacity open "
                                   "('capacity'); pass capacity=... (CLI: --capacity)"])
        cap = np.full(m, float(capacity))
    else:
        if capacity is not None:  # never silently over the file's own numbers
            raise ValidationError([f"({path.name}) | the file gives each warehouse's capacity: capacity "
                                   "(CLI: --capacity) is only for capa/capb/capc, which leave it open"])
        cap = tok.numbers(2, 2 + 2 * m, "capacity", 2)
    fixed = tok.numbers(3, 2 + 2 * m, "fixed cost", 2)
    body = tok.numbers(2 + 2 * m, 2 + 2 * m + n * (m + 1), "customer data").reshape(n, m + 1)
    return FacilityInstance(path.stem, cap, fixed, body[:, 0], body[:, 1:].T.copy())


def read_holmberg(path: str | Path) -> FacilityInstance:
    """Read a Holmberg ``p*`` file (NUL padding and stray trailing numbers ignored).

    Layout: ``m n``, m lines ``capacity fixed``, n demands, m rows of n allocation costs.
    Every number must be finite; a problem names the file and line.
    """
    path = Path(path)
    tok = _Tokens(path)
    m, n = tok.count(0, "the number of warehouses"), tok.count(1, "the number of customers")
    need = 2 + 2 * m + n + m * n
    tok.need(need)
    nums = tok.numbers(0, need, "numbers")
    head = nums[2:2 + 2 * m]
    demand = nums[2 + 2 * m:2 + 2 * m + n]
    cost = nums[2 + 2 * m + n:].reshape(m, n)
    return FacilityInstance(path.name, head[0::2].copy(), head[1::2].copy(), demand, cost, single_source=True)


#: file formats by name: OR-Library's capacitated files are cap*, Holmberg's p1 ... p71
FORMATS = ("orlib", "holmberg")


def instance_format(path: str | Path) -> str | None:
    """``"orlib"`` for a ``cap*`` file name, ``"holmberg"`` for ``p<number>`` (any extension),
    else None: the two layouts hold equally many numbers, so a renamed file cannot be told.

    >>> instance_format("cap41.txt"), instance_format("p47"), instance_format("inst41.txt")
    ('orlib', 'holmberg', None)
    """
    name = Path(path).name.lower()
    if name.startswith("cap"):
        return "orlib"
    return "holmberg" if re.fullmatch(r"p\d+(\.\w+)?", name) else None


def read_instance(path: str | Path, capacity: float | None = None,
                  kind: str | None = None) -> FacilityInstance:
    """Read either format: ``kind`` ``"orlib"`` or ``"holmberg"``, or None to tell them apart by
    the file name (:func:`instance_format`; a name that tells neither is refused, never guessed)."""
    path = Path(path)
    if kind is None:
        kind = instance_format(path)
        if kind is None:
            raise ValidationError([f"({path.name}) | the name tells neither format: OR-Library files are "
                                   "named cap*, Holmberg's p1 ... p71; pass kind='orlib' or 'holmberg' "
                                   "(CLI: --format)"])
    elif kind not in FORMATS:
        raise ValidationError([f"({path.name}) | format {kind!r}: expected one of {', '.join(FORMATS)}"])
    if kind == "orlib":
        return read_orlib(path, capacity)
    if capacity is not None:
        raise ValidationError([f"({path.name}) | a Holmberg file gives each warehouse's capacity: capacity "
                               "(CLI: --capacity) is only for OR-Library's capa/capb/capc"])
    return read_holmberg(path)
