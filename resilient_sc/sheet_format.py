"""How a sheet the library writes looks: a frozen bold header, fitted widths, number formats by
column (money, quantities per product, fractions as percentages), formula-like text as text."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .escaping import is_formula_like


def _as_text(cell: Any) -> None:
    """A formula-like text cell (openpyxl makes ``=...`` a formula) as text with Excel's quote prefix."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


#: a column wider than this many characters is wrapped, not cut at its edge
MAX_WIDTH = 60
#: a sheet of more columns keeps its first (the row's policy, failure, period or id) in view
WIDE = 12


def format_sheet(ws: Any, df: pd.DataFrame) -> None:
    """Bold text headers, the header row (and of a wide sheet the first column) frozen, a filter,
    columns sized to their text up to :data:`MAX_WIDTH` and wrapped beyond it, and each number
    formatted as its column says (:func:`_number_format`)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "B2" if len(df.columns) > WIDE else "A2"  # a premium's policy scrolled away
    if len(df.columns) and len(df):
        ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = Font(bold=True)
        _as_text(cell)
    for i, col in enumerate(df.columns, start=1):
        values = df.iloc[:, i - 1]
        width = max([len(str(col))] + [len(_fmt(v)) for v in values.head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, width)
        cut = width > MAX_WIDTH  # a premium's suppliers (220 characters), a stress's conditional_on
        fmt = _number_format(str(col), values)
        by_row = _with_units(df, str(col), _by_product(df, values, fmt), fmt)
        for cells in ws.iter_cols(min_col=i, max_col=i, min_row=2):
            for c in cells:
                _as_text(c)
                if cut:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
                if by_row is not None:
                    c.number_format = by_row[c.row - 2]
                elif fmt is not None:
                    c.number_format = fmt
                elif isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    # a mixed (text and number) column: numbers get thousands separators
                    c.number_format = "#,##0" if isinstance(c.value, int) else "#,##0.00"


def _by_product(df: pd.DataFrame, values: pd.Series, fmt: str | None) -> list[str] | None:
    """A long table's decimals per row, by its product (:func:`decimal_format` of that product's
    values: pieces stay whole beside tonnes with decimals); None when one format serves all."""
    if fmt is None or not fmt.startswith("#,##0.") or "product" not in df.columns:
        return None
    product = df["product"].astype(str).to_numpy()
    each = {p: decimal_format(v) for p, v in values.groupby(product, sort=False)}
    return [each[p] for p in product] if len(set(each.values())) > 1 else None


#: the quantity columns of a long table, whose rows are of products in a ``unit`` column of theirs
QUANTITIES = frozenset({"quantity", "demand", "delivered", "shortfall"})


def _with_units(df: pd.DataFrame, col: str, by_row: list[str] | None, fmt: str | None) -> list[str] | None:
    r"""The formats of a long table's quantity column (:data:`QUANTITIES`) with each row's unit
    shown after its number (``#,##0 "kWh"``): one column held 700 t, 35,000 pieces and 800,000
    kWh, which a planner's SUM added, the unit in a column apart (output audit); ``by_row``
    otherwise. The values are unchanged.

    >>> _with_units(pd.DataFrame({"unit": ["t", 'in "']}), "quantity", None, "#,##0")
    ['#,##0 "t"', '#,##0 "in \'"']
    """
    if col not in QUANTITIES or "unit" not in df.columns or fmt is None or not fmt.startswith("#,##0"):
        return by_row
    units = df["unit"].astype(str).str.replace('"', "'").str.slice(0, 60).to_numpy()
    return [f'{f} "{u}"' for f, u in zip(by_row or [fmt] * len(df), units, strict=True)]


#: column names holding fractions, shown as percentages (``premium_pct`` is already in %: :data:`PCT_POINTS`)
PERCENT_WORDS = ("share", "fraction", "utilisation", "served", "probability", "gap", "expectation_weight",
                 "service_level")


#: the Excel format of numbers already in % (premiums): the value stays 2.63, shown 2.63%
PCT_POINTS = '0.00"%"'


def _number_format(col: str, values: pd.Series) -> str | None:
    """The Excel format of a numeric column: % for fractions, thousands separators otherwise."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    if col.partition(" ")[0].endswith("_pct"):  # already in % (premium_pct 2027 too): 2.63 reads 2.63%,
        return PCT_POINTS  # not a bare 2.63 beside columns of fractions shown as 37.9% (workbook audit)
    if any(w in col for w in PERCENT_WORDS):
        # a served fraction is rounded down in every text (never more than is served): here too, not
        # only worst_served (expected_value_served 0.91662 read 91.7% beside the text's 91.6%: audit)
        return percent_format(values, guarantee="served" in col)
    if col == "weight":  # a period's discount factor: 0.9524 must not read 0.95
        return "0.0000"
    return "#,##0" if pd.api.types.is_integer_dtype(values) else decimal_format(values)


def decimal_format(values: Any) -> str:
    """The Excel format of quantities or money: thousands separators, no decimals when every
    value is whole, else two, or more where two would show the smallest value above 0 with
    fewer than two significant digits (a demand of 0.00181 t read 0.00; at most ten).

    >>> decimal_format([3620.0, 12.0]), decimal_format([3619.5]), decimal_format([5000.0, 0.00181])
    ('#,##0', '#,##0.00', '#,##0.0000')
    """
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    finite = v[np.isfinite(v)]
    if bool((finite == finite.round()).all()):
        return "#,##0"
    smallest = float(finite.abs()[finite != 0].min())
    digits = min(10, max(2, math.ceil(-math.log10(smallest)) + 1))
    return f"#,##0.{'0' * digits}"


def percent_format(values: Any, guarantee: bool = False) -> str:
    """The Excel format of fractions: one decimal (``0.0%``), more (up to four) where one would
    show a value as all or nothing when it is not, as :func:`resilient_sc.format.fraction` never
    does in text (Excel rounds to nearest: 0.9996 would read 100.0%, 0.0004 0.0%); of a
    ``guarantee`` (a worst-case served fraction, which the text rounds down) also where one would
    round a value up (0.901539 would read 90.2% beside "at least 90.1%"). Values within 1e-7 (an
    LP's tolerance) of 0 or 1 count as 0 or 1.

    >>> percent_format([0.5, 0.25]), percent_format([0.9996]), percent_format([1 - 1e-9, 0.00004])
    ('0.0%', '0.00%', '0.000%')
    >>> percent_format([0.901539]), percent_format([0.901539], guarantee=True)
    ('0.0%', '0.00%')
    """
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    inside = v[(v > 1e-7) & (v < 1 - 1e-7)] * 100
    for digits in range(1, 4):
        shown = inside.round(digits)
        up = guarantee and bool((shown > inside + 1e-9).any())
        if not ((shown <= 0) | (shown >= 100)).any() and not up:
            break
    else:
        digits = 4
    return f"0.{'0' * digits}%"


def _fmt(v: Any) -> str:
    return f"{v:,.2f}" if isinstance(v, float) else str(v)
