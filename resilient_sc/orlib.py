"""Readers for the OR-Library capacitated warehouse and Holmberg instances (docs/formulation.md §7).

Each instance maps onto a :class:`Network`: one supplier ``S0`` in country ``X`` with
capacity = total demand at cost 0, warehouses -> hubs (capacity, fixed cost), customers
-> markets with their demand, lanes ``S0 -> hub`` at cost 0 and ``hub -> market`` at
``allocation_cost / demand`` per unit. Holmberg instances are single-source problems
(solve them with ``Policy(single_sourcing=True)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .exceptions import DataWarning, ValidationError, warn
from .limits import current, read_bytes
from .schema import ORLIB_FORMATS

if TYPE_CHECKING:
    from .data import Network


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
        import pandas as pd  # here, not at the top: the CLI reads instances through this module

        from .data import Network

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


#: the bytes ``bytes.split()`` splits at (NUL is read as a blank)
_BLANK = np.zeros(256, bool)
_BLANK[list(b" \t\n\r\x0b\x0c")] = True
#: bytes scanned at a time by :func:`_token_starts`
_CHUNK = 1 << 24


def _token_starts(raw: bytes) -> Iterator[np.ndarray]:
    r"""The offsets at which the whitespace-separated tokens of ``raw`` start, 16 MB at a time:
    counted without a Python object per token (``raw.split()`` took 21 times a file's size in
    memory before its sizes could refuse it).

    >>> [s.tolist() for s in _token_starts(b" 12 3\n\t 45")]
    [[1, 4, 8]]
    """
    data = np.frombuffer(raw, np.uint8)
    blank_before = True
    for at in range(0, len(data), _CHUNK):
        blank = _BLANK[data[at:at + _CHUNK]]
        yield at + np.flatnonzero(~blank & np.concatenate(([blank_before], blank[:-1])))
        blank_before = bool(blank[-1])


class _Tokens:
    """The whitespace-separated tokens of an instance file, counted first and split only as far
    as the instance's sizes call for (:meth:`need`); the line of a token is found only for a
    message."""

    def __init__(self, path: Path):
        self.limits = current()  # read within the input file limit, as every table is
        raw = read_bytes(path, path.name, self.limits.file_bytes, "file_mb", self.limits)
        # lines end in \n, \r\n or \r (old Mac files): each counts once in the messages
        self.raw = raw.replace(b"\0", b" ").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        self.size = sum(len(s) for s in _token_starts(self.raw))
        self.tokens = self.raw.split(None, 2)[:2]  # the sizes; the rest once they are checked
        self.path = path

    def __len__(self) -> int:
        return self.size

    def word(self, i: int) -> str:
        return self.tokens[i].decode("ascii", errors="replace")

    def line(self, i: int) -> int:
        """The line (from 1) of token ``i`` (that of the last token for ``i`` past the end)."""
        i, seen = min(i, len(self) - 1), 0
        for starts in _token_starts(self.raw):
            if seen + len(starts) > i:
                return self.raw.count(b"\n", 0, int(starts[i - seen])) + 1
            seen += len(starts)
        return self.raw.count(b"\n") + 1

    def problem(self, i: int, what: str) -> ValidationError:
        return ValidationError([f"({self.path.name}) | line {self.line(i)}: {what}"])

    def numbers(self, start: int, stop: int, what: str, step: int = 1) -> np.ndarray:
        """Tokens ``start:stop:step`` as finite numbers from 0 to the limit on magnitudes; else a
        ValidationError naming the file and the line."""
        words = self.tokens[start:stop:step]
        try:
            out = np.array(words, dtype=np.bytes_).astype(float)
        except ValueError:
            out = np.array([_number(w) for w in words])
        bad = ~np.isfinite(out)
        if bad.any():
            at = start + int(np.argmax(bad)) * step
            raise self.problem(at, f"{what}: {self.word(at)[:40]!r} is not a finite number")
        wrong = (out < 0) | (out > self.limits.magnitude)
        if wrong.any():
            k = int(np.argmax(wrong))
            over = "negative" if out[k] < 0 else f"over the limit of {self.limits.describe('magnitude')}"
            raise self.problem(start + k * step, f"{what}: {out[k]:g} is {over}")
        return out

    def count(self, k: int, what: str) -> int:
        """Token ``k`` as a whole number >= 1 (``12`` or ``12.0``), the size of the instance."""
        value = _number(self.tokens[k]) if k < len(self) else np.nan
        if not (np.isfinite(value) and value >= 1 and value == int(value)):
            raise self.problem(k, f"{what} must be a whole number >= 1")
        return int(value)

    def sizes(self) -> tuple[int, int]:
        """The instance's m warehouses and n customers, within the limit on rows (m·n lanes)."""
        m, n = self.count(0, "the number of warehouses"), self.count(1, "the number of customers")
        if m * n + m > self.limits.rows:
            raise self.problem(0, f"{m:,} warehouses × {n:,} customers make {m * n + m:,} lanes, over the "
                                  f"limit of {self.limits.describe('rows')}")
        return m, n

    def need(self, n: int, exact: bool) -> None:
        """The file holds ``n`` numbers (at least ``n`` unless ``exact``); its first ``n`` tokens
        split."""
        if len(self) < n:
            raise self.problem(len(self), f"expected {n:,} numbers, found {len(self):,}: the file ends here")
        if exact and len(self) > n:
            extra = len(self) - n
            raise self.problem(n, f"{extra:,} number{'s' * (extra > 1)} more than the {n:,} its first line's "
                                  "sizes call for, from here: check the sizes")
        self.tokens = self.raw.split(None, n)[:n]


def _number(word: bytes) -> float:
    try:
        return float(word)
    except ValueError:
        return np.nan


def read_orlib(path: str | Path, capacity: float | None = None) -> FacilityInstance:
    """Read an OR-Library ``cap*.txt`` file; ``capacity`` is required for capa/capb/capc and refused
    for the others, which give their own.

    Layout: ``m n``, m lines ``capacity fixed``, then per customer ``demand`` and m costs:
    exactly that many numbers, each finite and from 0; a problem names the file and line.
    """
    path = Path(path)
    if capacity is not None and not 0 < capacity < np.inf:
        raise ValidationError([f"({path.name}) | capacity = {capacity!r}: give a finite number > 0"])
    tok = _Tokens(path)
    if len(tok) < 2:
        raise ValidationError([f"({path.name}) | not an OR-Library capacitated file"])
    m, n = tok.sizes()
    tok.need(2 + 2 * m + n * (m + 1), exact=True)
    open_ = [tok.tokens[i].lower() == b"capacity" for i in range(2, 2 + 2 * m, 2)]
    if all(open_):
        if capacity is None:
            raise ValidationError([f"({path.name}) | the file leaves the capacity open "
                                   "('capacity'); pass capacity=... (CLI: --capacity)"])
        cap = np.full(m, float(capacity))
    else:
        if capacity is not None:  # never silently over the file's own numbers
            raise ValidationError([f"({path.name}) | the file gives each warehouse's capacity: capacity "
                                   "(CLI: --capacity) is only for capa/capb/capc, which leave it open"])
        cap = tok.numbers(2, 2 + 2 * m, "capacity", 2)  # a 'capacity' among numbers is named
    fixed = tok.numbers(3, 2 + 2 * m, "fixed cost", 2)
    body = tok.numbers(2 + 2 * m, 2 + 2 * m + n * (m + 1), "customer data").reshape(n, m + 1)
    return FacilityInstance(path.stem, cap, fixed, _demands(tok, body[:, 0], 2 + 2 * m, m + 1),
                            body[:, 1:].T.copy())


def _demands(tok: _Tokens, demand: np.ndarray, start: int, step: int) -> np.ndarray:
    """``demand`` (tokens ``start::step``) if every customer wants something: an allocation cost
    is the cost of serving all of a customer, which becomes a cost per unit."""
    if (demand <= 0).any():
        k = int(np.argmax(demand <= 0))
        raise tok.problem(start + k * step, f"customer {k + 1} has demand 0: its allocation costs cannot be "
                                            "costs per unit; leave the customer out")
    return demand


def read_holmberg(path: str | Path) -> FacilityInstance:
    """Read a Holmberg ``p*`` file (NUL padding and stray trailing numbers ignored, with a warning:
    p47 has some).

    Layout: ``m n``, m lines ``capacity fixed``, n demands, m rows of n allocation costs.
    Every number must be finite and from 0; a problem names the file and line.
    """
    path = Path(path)
    tok = _Tokens(path)
    m, n = tok.sizes()
    need = 2 + 2 * m + n + m * n
    tok.need(need, exact=False)
    if len(tok) > need:
        extra = len(tok) - need
        said = f"{extra:,} number{'s' * (extra > 1)} after the {need:,} of the instance"
        warn(f"({path.name}) | line {tok.line(need)}: {said} {'are' if extra > 1 else 'is'} ignored",
             DataWarning)
    nums = tok.numbers(0, need, "numbers")
    head = nums[2:2 + 2 * m]
    demand = _demands(tok, nums[2 + 2 * m:2 + 2 * m + n], 2 + 2 * m, 1)
    cost = nums[2 + 2 * m + n:].reshape(m, n)
    return FacilityInstance(path.name, head[0::2].copy(), head[1::2].copy(), demand, cost, single_source=True)


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
    elif kind not in ORLIB_FORMATS:
        raise ValidationError([f"({path.name}) | format {kind!r}: expected one of "
                               f"{', '.join(ORLIB_FORMATS)}"])
    if kind == "orlib":
        return read_orlib(path, capacity)
    if capacity is not None:
        raise ValidationError([f"({path.name}) | a Holmberg file gives each warehouse's capacity: capacity "
                               "(CLI: --capacity) is only for OR-Library's capa/capb/capc"])
    return read_holmberg(path)
