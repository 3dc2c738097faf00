"""The distinct values of a table's columns and its blank cells, found once per column: text work
(trimming, parsing numbers, checking ids) is done once per distinct value, not per row (ids
repeat: ~100× less), for :mod:`resilient_sc.validation`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``pd.factorize``: the code of each row (-1 where null), the distinct values, and whether
    every cell was hashable; text work is then done once per distinct value (ids repeat: ~100×
    less). A cell holding a list or a dict (said by :func:`_unhashable_cells`) counts as its text."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        hashable = True
    except TypeError:  # unhashable cells
        texts = np.array([v if is_hashable(v) else str(v) for v in values], dtype=object)
        codes, uniques = pd.factorize(texts, use_na_sentinel=True)
        hashable = False
    return codes, np.asarray(uniques, dtype=object), hashable


def is_hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def spread(per_value: Iterable[Any], codes: np.ndarray, missing: Any, dtype: Any) -> np.ndarray:
    """``per_value`` (one entry per distinct value) spread back over the rows; ``missing`` where null."""
    values = list(per_value)
    out = np.empty(len(values) + 1, dtype=dtype)
    out[:-1] = values
    out[-1] = missing
    return out[codes]


def text_blank(uniques: np.ndarray) -> list[bool]:
    return [isinstance(u, str) and not u.strip() for u in uniques]


def is_blank(series: pd.Series,
              factorized: Callable[[], tuple[np.ndarray, np.ndarray, bool]] | None = None) -> np.ndarray:
    """Empty cells: null (None, NaN) or text of white space only. ``'NA'`` (Namibia), ``'nan'``
    and ``'none'`` are text, never blank: an id keeps them, a number column rejects them.
    ``factorized``: gives the column's :func:`_factorize` when it is known."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.isna().to_numpy()
    codes, uniques, _ = factorized() if factorized else _factorize(series.to_numpy(dtype=object))
    return spread(text_blank(uniques), codes, True, bool)


class Distinct:
    """The distinct values of each column of one table, found once per column (``pd.factorize``:
    a column was factorized up to five times, 4.9M distinct ids took 28 s to refuse) and kept for
    the rows that remain as rows are dropped (:meth:`keep`)."""

    def __init__(self, df: pd.DataFrame) -> None:
        self._df = df
        self._rows: np.ndarray | None = None  # positions in ``df`` of the rows kept
        self._found: dict[str, tuple[np.ndarray, np.ndarray, bool]] = {}
        self._blank: dict[str, np.ndarray] = {}  # of every row of ``df``

    def _factorized(self, col: str) -> tuple[np.ndarray, np.ndarray, bool]:
        if col not in self._found:
            self._found[col] = _factorize(self._df[col].to_numpy(dtype=object))
        return self._found[col]

    def hashable(self, col: str) -> bool:
        """Whether every cell of ``col`` holds one value (not a list or a dict)."""
        return self._factorized(col)[2]

    def __call__(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """The code of each row kept (-1 where null) and the distinct values of column ``col``."""
        codes, uniques, _ = self._factorized(col)
        return (codes if self._rows is None else codes[self._rows]), uniques

    def blank(self, col: str) -> np.ndarray:
        """Whether each row kept is blank in ``col`` (:func:`is_blank`)."""
        if col not in self._blank:
            self._blank[col] = is_blank(self._df[col], lambda: self._factorized(col))
        blank = self._blank[col]
        return blank if self._rows is None else blank[self._rows]

    def keep(self, df: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """``df`` (the rows kept so far) with only the rows where ``rows`` is true."""
        positions = np.flatnonzero(rows)
        self._rows = positions if self._rows is None else self._rows[positions]
        return df.iloc[positions].reset_index(drop=True)
