"""An input template to fill in: a CSV folder or one ``.xlsx`` workbook, generated from the schema.

Every table of :data:`~resilient_sc.schema.TABLES` gets its columns as headers and an example
row (two lanes: one supplier → hub, one hub → market; ``periods`` has its header only: one plan,
not a roadmap), together a tiny valid network that solves (cost 70,200); ``README.md`` (or the
``README`` sheet) describes every column.

>>> import tempfile, pathlib
>>> from resilient_sc import read_network
>>> folder = write_template(pathlib.Path(tempfile.mkdtemp()) / "my_network")
>>> read_network(folder)
Network(1 supplier, 1 hub, 1 market, 1 product, 2 countries)
"""

from __future__ import annotations

import errno
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import io
from .example_data import EXAMPLE_ROWS
from .exceptions import check_path
from .schema import FAILURE_KINDS, STATUSES, TABLES, Column, Table

#: the values of each enumerated column kind, as the schema lists them (drop-down lists)
CHOICES: dict[str, tuple[str, ...]] = {"status": STATUSES, "kind": FAILURE_KINDS}

#: what each column kind of the schema accepts, in a planner's words
KIND_TEXT = {
    "id": "text (an id)", "text": "text", "number": "number ≥ 0",
    "capacity": "number ≥ 0, blank, inf or unlimited = unlimited", "share": "fraction in [0, 1]",
    "lat": "degrees in [-90, 90]", "lon": "degrees in [-180, 180]",
    **{kind: " / ".join(values) for kind, values in CHOICES.items()},
}

#: Excel number formats of the ``.xlsx`` template
MONEY_FORMAT = "#,##0.00"  # to the cent: 8.75 stays 8.75
NUMBER_FORMAT = "#,##0.00##"  # quantities and emissions are real numbers, not whole by contract
FRACTION_FORMAT = "0.0##%"  # 0.05 shows as 5.0%, 0.0525 as 5.25%
TEXT_FORMAT = "@"  # ids stay text: no 1E5 -> 100000, no 3-4 -> a date
#: the format of each column kind (``number`` columns of money or fractions: by their unit)
KIND_FORMAT = {
    "id": TEXT_FORMAT, "text": TEXT_FORMAT, "status": TEXT_FORMAT, "kind": TEXT_FORMAT,
    "number": NUMBER_FORMAT, "capacity": NUMBER_FORMAT, "share": FRACTION_FORMAT,
    "lat": "General", "lon": "General",
}
#: rows of the template sheets that get formats and drop-down lists (Excel's last row)
LAST_ROW = 1_048_576


def number_format(col: Column) -> str:
    """The Excel number format of a template column, from its kind and unit.

    >>> number_format(TABLES["supplier_products"].column("unit_cost"))
    '#,##0.00'
    >>> number_format(TABLES["tariffs"].column("rate")), number_format(TABLES["demand"].column("demand"))
    ('0.0##%', '#,##0.00##')
    >>> number_format(TABLES["suppliers"].column("lead_time"))
    '0'
    """
    if col.kind == "number" and col.unit.split("/")[0] == "money":
        return MONEY_FORMAT
    if col.kind == "number" and col.unit == "fraction":
        return FRACTION_FORMAT
    if col.kind == "number" and col.unit == "periods":  # a whole number of periods: 0, not 0.00
        return "0"
    return KIND_FORMAT[col.kind]


def referenced_table(table: Table, col: Column) -> Table | None:
    """The required table whose ids ``col`` names: an id column named like that table's
    one-column key (``country``) or ending in it (``origin_country``). None for the key of
    ``table`` itself, for products (the products table is optional and ``all`` is allowed)
    and for columns naming ids of several tables (a lane's origin: a supplier or a hub).

    >>> referenced_table(TABLES["tariffs"], TABLES["tariffs"].column("origin_country")).name
    'countries'
    >>> referenced_table(TABLES["lanes"], TABLES["lanes"].column("origin")) is None
    True
    """
    if col.kind != "id":
        return None
    for other in TABLES.values():
        if other is not table and other.required and len(other.key) == 1:
            key = other.key[0]
            if col.name == key or col.name.endswith(f"_{key}"):
                return other
    return None




def example_frames() -> dict[str, pd.DataFrame]:
    """The template's tables: the schema's columns in order, filled with :data:`EXAMPLE_ROWS`."""
    frames = {}
    for name, table in TABLES.items():
        rows = EXAMPLE_ROWS.get(name, [])
        unknown = {k for row in rows for k in row} - set(table.names)
        if unknown:  # the schema lost a column the example still names
            raise KeyError(f"EXAMPLE_ROWS[{name!r}] names columns not in the schema: {sorted(unknown)}")
        frames[name] = pd.DataFrame([[row.get(c, "") for c in table.names] for row in rows],
                                    columns=list(table.names))
    return frames


def describe_default(col: Column) -> str:
    """A column's default as a planner reads it ('' for a required column)."""
    if col.required:
        return ""
    d = col.default
    if d == "" or (isinstance(d, float) and math.isnan(d)):
        return "blank"
    return f"{d:g}" if isinstance(d, float) else str(d)


def column_reference() -> pd.DataFrame:
    """One row per (table, column): type, unit, required, default, description."""
    return pd.DataFrame([
        {"table": t.name, "column": c.name, "type": KIND_TEXT[c.kind], "unit": c.unit,
         "required": "yes" if c.required else "no", "default": describe_default(c),
         "description": c.description}
        for t in TABLES.values() for c in t.columns])


def schema_markdown(heading: str = "###") -> str:
    """The tables and columns of the data contract as Markdown (one section per table)."""
    parts = []
    for t in TABLES.values():
        need = "required" if t.required else "optional"
        key = ", ".join(f"`{k}`" for k in t.key)
        parts.append(f"{heading} `{t.name}` ({need})\n\n{t.description} One row per {key}.\n\n"
                     "| column | type | unit | required | default | description |\n"
                     "|---|---|---|---|---|---|")
        for c in t.columns:
            parts.append(f"| `{c.name}` | {KIND_TEXT[c.kind]} | {c.unit or '—'} | "
                         f"{'yes' if c.required else 'no'} | {describe_default(c) or '—'} | "
                         f"{c.description} |")
        parts.append("")
    return "\n".join(parts)


README = """# Input template for resilient_sc

Fill in one row per supplier, hub, market, ... and check your data with

    resilient-sc validate {target}

then solve it with `resilient-sc solve {target} --out plan.xlsx`. The example rows form a tiny
network that solves as it is (one supplier in China, one hub at Le Havre, one market in Paris):
replace them with your own. Optional tables (products, tariffs, disruptions, periods) may be
deleted. A column marked *optional* may be left blank (or removed): its default applies. Ids are
text; money is in one currency; quantities in units of product; shares and rates are fractions
(0.05 = 5%). Demand, capacities and fixed costs cover one and the same span of time (say a year):
monthly volumes beside yearly contract costs make each fixed cost weigh twelve times too much,
and the plan opens fewer suppliers and hubs than it should, without an error.

For a restructuring roadmap list the planning periods in `periods`, in order (left empty here:
one plan of today's network; with periods the network is planned over all of them at once). A row of `demand`,
`supplier_products` or `tariffs` with a blank `period` holds in every period; a row naming a
period replaces it in that period. Status `existing` marks a supplier or hub in operation today
that may be stopped (paying `closing_cost`); a candidate pays `opening_cost` when it starts and
may start only from the period at position `lead_time` (0 = the first).

"""


def _dress(book: Any) -> None:
    """Give every table sheet of the ``.xlsx`` template its column formats (the example rows
    and every row typed below them) and drop-down lists: the schema's values for enumerated
    columns (an error otherwise), the ids of the sheet they name for reference columns (a
    warning otherwise: the planner may fill that sheet later; ``validate`` checks them)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    for name, table in TABLES.items():
        ws = book[name]
        for i, col in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            fmt = number_format(col)
            ws.column_dimensions[letter].number_format = fmt  # new cells typed in the column
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
            cells = f"{letter}2:{letter}{LAST_ROW}"
            if col.kind in CHOICES:  # the list itself: "candidate,open,closed"
                values = CHOICES[col.kind]
                check = DataValidation(type="list", formula1=f'"{",".join(values)}"', errorStyle="stop",
                                       error=f"{col.name} must be one of {', '.join(values)}")
            elif (other := referenced_table(table, col)) is not None:
                # a named range growing with the ids listed (no blank entries in the drop-down)
                key = other.key[0]
                ids, at = f"{key}_ids", get_column_letter(other.names.index(key) + 1)
                if ids not in book.defined_names:
                    book.defined_names[ids] = DefinedName(ids, attr_text=(
                        f"OFFSET({other.name}!${at}$2,0,0,MAX(1,COUNTA({other.name}!${at}:${at})-1),1)"))
                check = DataValidation(type="list", formula1=ids, errorStyle="warning", error=(
                    f"{col.name} should be a {key} listed on the {other.name} sheet: add it there "
                    "(resilient-sc validate checks this)"))
            else:
                continue
            check.allow_blank = check.showErrorMessage = True
            check.errorTitle = f"{name}: {col.name}"[:32]  # Excel's limit
            check.add(cells)
            ws.add_data_validation(check)


def _refuse(path: Path, what: str) -> FileExistsError:
    return FileExistsError(errno.EEXIST, f"refusing to overwrite {what}; pass force=True "
                           "(CLI: --force) to write the template anyway", str(path))


#: what a template folder holds: a folder with other files is never replaced, even with ``force``
TEMPLATE_SUFFIXES = frozenset({".csv", ".md"})


def write_template(path: str | Path, xlsx: bool = False, force: bool = False,
                   flag: str = "force=True", frames: Mapping[str, pd.DataFrame] | None = None) -> Path:
    """Write the input template to ``path``: a folder of CSV files and ``README.md``, or
    (``xlsx=True``, or a path ending in ``.xlsx``) one workbook with a sheet per table and
    a ``README`` sheet. The workbook is written atomically, the folder as a whole
    (:func:`resilient_sc.io.atomic_folder`).

    Raises :class:`FileExistsError` when ``path`` is an existing workbook or a non-empty
    folder, unless ``force`` (a folder holding more than CSV and Markdown files is never
    replaced); :class:`NotADirectoryError` for a file where the folder would go;
    :class:`ValueError` for ``xlsx=True`` with another suffix. Messages name ``force`` as ``flag``.

    ``frames`` (e.g. :meth:`Network.frames <resilient_sc.data.Network.frames>`) replace the
    example rows: the data itself in the template's form (a CSV folder without the README.md,
    whose words are the example's; the workbook with its README sheet of columns).
    """
    check_path("path", path, "a folder or an .xlsx file to write the template to")
    path = Path(path)
    xlsx = xlsx or path.suffix.lower() == ".xlsx"
    example = frames is None
    frames = example_frames() if frames is None else frames
    if xlsx:
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"{path}: an .xlsx template needs a path ending in .xlsx")
        if path.exists() and not force:
            raise _refuse(path, "an existing file")
        io.write_excel(path, {"README": column_reference(), **frames}, finish=_dress)
        return path
    with io.atomic_folder(path, force=force, flag=flag, outputs=TEMPLATE_SUFFIXES, network=True) as tmp:
        io.write_tables(frames, tmp)
        if example:
            io.write_text(tmp / "README.md", README.format(target=path) + schema_markdown("##"))
    return path
