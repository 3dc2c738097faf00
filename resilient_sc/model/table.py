"""Columnar index tables whose text is only spelled out when a DataFrame is asked for.

The large index sets (one row per flow variable) hold their numbers as numpy arrays and
their text as positions into a short array of names, so that building the model costs a
few integer operations per row; the DataFrame, or a few rows of it, is built on demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

#: a column: values, or (names, positions) for text spelled out as ``names[positions]``
Column = np.ndarray | tuple[np.ndarray, np.ndarray]


def frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of numpy columns that its user may change; text columns stay object arrays
    (no conversion); read-only arrays (a Table's own) are copied."""
    columns = {k: v if v.flags.writeable else v.copy() for k, v in columns.items()}
    return pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
                         for k, v in columns.items()}, copy=False)


def _read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array``, which stays as it was (a network table's own column, frozen
    in place, made the caller's DataFrame refuse edits after a solve)."""
    if not array.flags.writeable:
        return array
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, eq=False)
class Table:
    """Equal-length columns in frame order; ``table[name]`` is one column as an array.

    >>> t = Table({"hub": (np.array(["H1", "H2"], dtype=object), np.array([1, 1, 0])),
    ...            "cost": np.array([1.0, 2.0, 3.0])})
    >>> len(t), t["hub"].tolist(), t.frame(rows=np.array([2]))["hub"].tolist()
    (3, ['H2', 'H2', 'H1'], ['H1'])
    """

    columns: dict[str, Column]

    def __post_init__(self) -> None:
        # shared, so read-only: views in a dict of its own, the arrays and the dict given untouched
        object.__setattr__(self, "columns", {
            name: tuple(_read_only(a) for a in column) if isinstance(column, tuple) else _read_only(column)
            for name, column in self.columns.items()})

    def __reduce__(self) -> tuple[type[Table], tuple[dict[str, Column]]]:
        """Pickled as its columns, not the DataFrame it caches (``whole``: object text, 2.6× the
        columns on ladder M, sent back with every plan a worker process solves)."""
        return Table, (self.columns,)

    def __len__(self) -> int:
        first = next(iter(self.columns.values()), np.empty(0))
        return len(first[1] if isinstance(first, tuple) else first)

    def __getitem__(self, name: str) -> np.ndarray:
        column = self.columns[name]
        return column[0][column[1]] if isinstance(column, tuple) else column

    def select(self, names: list[str]) -> Table:
        """The columns ``names`` only (no copy)."""
        return Table({n: self.columns[n] for n in names})

    def take(self, rows: np.ndarray) -> Table:
        """The rows at positions ``rows``."""
        return Table({n: (c[0], c[1][rows]) if isinstance(c, tuple) else c[rows]
                      for n, c in self.columns.items()})

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The table as a DataFrame, or only the rows at positions ``rows``."""
        if rows is None:
            return self.whole
        return frame({n: (c[0][c[1][rows]] if isinstance(c, tuple) else c[rows])
                      for n, c in self.columns.items()})

    @cached_property
    def whole(self) -> pd.DataFrame:
        """The whole table as a DataFrame, built once."""
        return frame({n: self[n] for n in self.columns})


def by_id(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows of ``df`` ordered by their id in ``column`` as a person reads ids, numbers by
    value (``S2`` before ``S10``), then by text; the model orders its suppliers and hubs
    so, and the order of the data's rows picks nothing.

    >>> by_id(pd.DataFrame({"hub": ["W10", "W2", "A", "W1", "W01"]}), "hub")["hub"].tolist()
    ['A', 'W01', 'W1', 'W2', 'W10']
    """
    keys = [(tuple(int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", str(v)))), str(v))
            for v in df[column]]  # then the text itself: H1 and H01 are two ids, in one order
    return df.iloc[sorted(range(len(keys)), key=keys.__getitem__)]
