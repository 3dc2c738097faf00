"""Atomic file output: write to a temporary file beside the target, then rename over it."""

from __future__ import annotations

import enum
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, writer: Callable[[BinaryIO], None]) -> None:
    """Write a file atomically through ``writer(file)``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        writer(fh)


def write_csv(path: str | Path, df: pd.DataFrame) -> None:
    """Write ``df`` as UTF-8 CSV without its index, atomically."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def write_network(frames: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each frame as ``<name>.csv`` in ``folder`` (created if needed), each atomically.

    ``frames`` is typically :meth:`Network.frames`; the folder reads back with ``read_network``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.csv" for name in frames]
    for path, df in zip(paths, frames.values(), strict=True):
        write_csv(path, df)
    return paths


def write_json(path: str | Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(to_json(data) + "\n", encoding="utf-8")


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_excel(path: str | Path, sheets: Mapping[str, pd.DataFrame],
                finish: Callable[[Any], None] | None = None) -> None:
    """Write one sheet per DataFrame, readable: frozen header, fitted widths, number formats;
    ``finish(book)`` may restyle the openpyxl workbook before it is saved (atomically)."""
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, df in sheets.items():
            df.to_excel(xl, sheet_name=name[:31], index=False)
            _format_sheet(xl.sheets[name[:31]], df)
        if finish is not None:
            finish(xl.book)


def _format_sheet(ws: Any, df: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    if len(df.columns) and len(df):
        ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(df.columns, start=1):
        values = df[col]
        width = max([len(str(col))] + [len(_fmt(v)) for v in values.head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(60, width)
        fmt = _number_format(str(col), values)
        for cells in ws.iter_cols(min_col=i, max_col=i, min_row=2):
            for c in cells:
                if fmt is not None:
                    c.number_format = fmt
                elif isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    # a mixed (text and number) column: numbers get thousands separators
                    c.number_format = "#,##0" if isinstance(c.value, int) else "#,##0.00"


#: column names holding fractions, shown as percentages (``premium_pct`` is already in %)
PERCENT_WORDS = ("share", "fraction", "utilisation", "served", "probability", "gap")


def _number_format(col: str, values: pd.Series) -> str | None:
    """The Excel format of a numeric column: % for fractions, thousands separators otherwise."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    if any(w in col for w in PERCENT_WORDS) and not col.endswith("_pct"):
        return "0.0%"
    v = values.astype(float)
    finite = v[v.abs() < float("inf")]
    whole = pd.api.types.is_integer_dtype(values) or bool((finite == finite.round()).all())
    return "#,##0" if whole else "#,##0.00"


def _fmt(v: Any) -> str:
    return f"{v:,.2f}" if isinstance(v, float) else str(v)


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON types: enums by value, numpy scalars as numbers, tuples and sets
    as lists, non-finite numbers as None, anything else as its text."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        return {str(k): to_plain(x) for k, x in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_plain(x) for x in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def to_json(data: Mapping[str, Any]) -> str:
    """``data`` as strict, indented JSON (:func:`to_plain`: NaN and infinity become null)."""
    return json.dumps(to_plain(data), indent=2, allow_nan=False)
