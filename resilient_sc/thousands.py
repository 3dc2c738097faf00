"""Numbers read as written that look like a thousand written with a dot (``9.000`` read as 9): a
warning naming the row, by product, beside plain thousands or in a column whose decimals all have
three digits (a CSV of a decimal-comma locale)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import Table
from .table_cells import Distinct, spread
from .wording import each_row, quote, where

#: the units of the columns whose numbers are amounts that run into thousands (quantities and
#: fixed costs; not costs or CO2 per unit, which may well be written with three decimals)
AMOUNTS = frozenset({"units", "money"})


def dot_thousands(table: Table, df: pd.DataFrame, distinct: Distinct) -> list[str]:
    """Number cells read as 9 where 9,000 was likely meant, written with a dot for thousands: a
    ``9.000`` beside ``12000`` in any number column; and in an amount column (:data:`AMOUNTS`), a
    ``9.000`` where every decimal written has three digits, one ends in 0 or whole numbers stand
    beside them (a CSV exported in a locale with a decimal comma writes 9.000, 4.461 and 446; a
    decimal point is rarely padded so, nor every decimal of a column three digits long). Both
    among the rows of the same product (:func:`_plain_beside`, :func:`_three_digits`)."""
    out: list[str] = []
    for column in (c for c in table.columns if c.kind in ("number", "capacity") and c.name in df
                   and not pd.api.types.is_numeric_dtype(df[c.name])):  # numbers: nothing was written
        col = column.name
        codes, uniques = distinct(col)  # each spelling once, text only
        text = pd.Series([u.strip() if isinstance(u, str) else "" for u in uniques], dtype=object)
        dotted, plain = text.str.fullmatch(r"[+-]?[1-9]\d{0,2}\.\d{3}"), text.str.fullmatch(r"[+-]?\d{4,}")
        if not dotted.any():
            continue
        cells, rows = spread(text, codes, "", object), spread(dotted, codes, False, bool)
        beside = _plain_beside(df, cells, spread(plain, codes, False, bool))
        three = _three_digits(df, cells, rows) if column.unit in AMOUNTS else np.zeros(len(df), bool)
        rows &= (beside != "") | three
        of = (" of product " + df["product"].astype(str).str.strip().map(quote)).to_numpy() \
            if "product" in df else np.full(len(df), "", dtype=object)

        def line(pos: int, c: str = col, t: np.ndarray = cells, b: np.ndarray = beside,
                 p: np.ndarray = of) -> str:
            value = float(t[pos])
            if b[pos]:
                why, keep = f"though other rows{p[pos]} write thousands without a separator ({b[pos]})", ""
            else:  # the rows of its product (or of the column) write every decimal with three digits
                why = f"and every decimal{p[pos]} is written with three digits"
                keep = f"; if {value:g}, write {value:g}" if t[pos].endswith("0") else ""
            # no separator in the advice: '1,200' is 1.2 to the decimal-comma reader it is for (audit)
            return (f"{where(table.name, df, pos)} | {c} {quote(t[pos])} is read as {value:g}, {why}: if "
                    f"{value * 1000:.0f} was meant (a dot for thousands), write {value * 1000:.0f}{keep}")

        each_row(out, table.name, np.flatnonzero(rows), line,
                 f"{col} is written with a dot before three digits")
    return out


def _three_digits(df: pd.DataFrame, cells: np.ndarray, dotted: np.ndarray) -> np.ndarray:
    """Per row, whether it is ``dotted`` in a product (the column, without a product column) whose
    every decimal has three digits, where one of the column's ends in 0 or whole numbers of up to
    three digits stand beside them: a CSV of a decimal-comma locale writes 9.000, 4.461 and 446
    (that is the file's; the decimals are each product's: a whole product pasted so hid beside
    another's 2800.5: review)."""
    text = pd.Series(cells, dtype=object)
    locale = (dotted & text.str.endswith("0").to_numpy()) | text.str.fullmatch(r"[+-]?\d{1,3}").to_numpy()
    if not locale.any():
        return np.zeros(len(df), bool)
    group = df["product"].astype(str).str.strip().to_numpy() if "product" in df else np.zeros(len(df))
    odd = pd.Series(text.str.contains(".", regex=False).to_numpy() & ~dotted).groupby(group).any()
    return dotted & np.isin(group, odd.index[~odd.to_numpy()])


def _plain_beside(df: pd.DataFrame, cells: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """Per row, a number of four or more digits without a separator that another row of the same
    product writes ('' where none does): 1.125 litres of paint beside 40000 pieces of cells is no
    thousand (audit); without a product column, of any row."""
    example = np.full(len(cells), "", dtype=object)
    if not plain.any():
        return example
    if "product" not in df:
        example[:] = cells[np.flatnonzero(plain)[0]]
        return example
    product = df["product"].astype(str).str.strip().to_numpy()
    first = pd.Series(cells[plain], index=product[plain]).groupby(level=0).first()
    return pd.Series(product).map(first).fillna("").to_numpy(dtype=object)
