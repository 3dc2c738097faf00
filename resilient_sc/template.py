"""An input template to fill in: a CSV folder or one ``.xlsx`` workbook, generated from the schema.

Every table of :data:`~resilient_sc.schema.TABLES` gets its columns as headers and an example
row (two lanes: one supplier → hub, one hub → market), together a tiny valid network that
solves (cost 70,200); ``README.md`` (or the ``README`` sheet) describes every column.

>>> import tempfile, pathlib
>>> from resilient_sc import read_network
>>> folder = write_template(pathlib.Path(tempfile.mkdtemp()) / "my_network")
>>> read_network(folder)
Network(1 suppliers, 1 hubs, 1 markets, 1 products, 2 countries)
"""

from __future__ import annotations

import errno
import math
from pathlib import Path

import pandas as pd

from . import io
from .schema import FAILURE_KINDS, STATUSES, TABLES, Column

#: what each column kind of the schema accepts, in a planner's words
KIND_TEXT = {
    "id": "text (an id)", "text": "text", "number": "number ≥ 0",
    "capacity": "number ≥ 0, blank or inf = unlimited", "share": "fraction in [0, 1]",
    "status": " / ".join(STATUSES), "lat": "degrees in [-90, 90]", "lon": "degrees in [-180, 180]",
    "kind": " / ".join(FAILURE_KINDS),
}

#: example rows by table; every column not given is left blank (its default applies)
EXAMPLE_ROWS: dict[str, list[dict[str, object]]] = {
    "countries": [{"country": "FR", "region": "Europe", "bloc": "EU"},
                  {"country": "CN", "region": "Asia", "bloc": ""}],
    "products": [{"product": "widget", "unit_value": 20}],
    "suppliers": [{"supplier": "S_Shenzhen", "country": "CN", "fixed_cost": 5000,
                   "status": "candidate", "lat": 22.54, "lon": 114.06}],
    "supplier_products": [{"supplier": "S_Shenzhen", "product": "widget", "capacity": 10000,
                           "unit_cost": 8, "co2": 2.5}],
    "hubs": [{"hub": "H_Le_Havre", "country": "FR", "fixed_cost": 20000, "capacity": 50000,
              "handling_cost": 0.5, "status": "candidate", "lat": 49.49, "lon": 0.11}],
    "markets": [{"market": "M_Paris", "country": "FR", "lat": 48.86, "lon": 2.35}],
    "demand": [{"market": "M_Paris", "product": "widget", "demand": 4000}],
    "lanes": [{"origin": "S_Shenzhen", "destination": "H_Le_Havre", "product": "all",
               "unit_cost": 1.2, "co2": 0.8},
              {"origin": "H_Le_Havre", "destination": "M_Paris", "product": "all",
               "unit_cost": 0.6, "co2": 0.1}],
    "tariffs": [{"origin_country": "CN", "destination_country": "FR", "product": "widget",
                 "rate": 0.05}],
    "disruptions": [{"scenario": "port_strike", "kind": "hub", "element": "H_Le_Havre",
                     "probability": 0.02}],
}
#: optimal cost of the template network: 5000 + 20000 + 4000 · (8 + 1.2 + 0.5 + 0.6 + 0.05 · 20)
EXAMPLE_COST = 70200.0


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
replace them with your own. Optional tables (products, tariffs, disruptions) may be deleted.
A column marked *optional* may be left blank (or removed): its default applies. Ids are text;
money is in one currency; quantities in units of product; shares and rates are fractions (0.05 = 5%).

"""


def _refuse(path: Path, what: str) -> FileExistsError:
    return FileExistsError(errno.EEXIST, f"refusing to overwrite {what}; pass force=True "
                           "(CLI: --force) to write the template anyway", str(path))


def write_template(path: str | Path, xlsx: bool = False, force: bool = False) -> Path:
    """Write the input template to ``path``: a folder of CSV files and ``README.md``, or
    (``xlsx=True``, or a path ending in ``.xlsx``) one workbook with a sheet per table and
    a ``README`` sheet. Every file is written atomically.

    Raises :class:`FileExistsError` when ``path`` is an existing workbook or a non-empty
    folder, unless ``force``; :class:`ValueError` for ``xlsx=True`` with another suffix.
    """
    path = Path(path)
    xlsx = xlsx or path.suffix.lower() == ".xlsx"
    frames = example_frames()
    if xlsx:
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"{path}: an .xlsx template needs a path ending in .xlsx")
        if path.exists() and not force:
            raise _refuse(path, "an existing file")
        io.write_excel(path, {"README": column_reference(), **frames})
        return path
    if path.exists() and not path.is_dir():
        raise FileExistsError(errno.EEXIST, "not a folder; a CSV template needs a folder", str(path))
    if path.is_dir() and any(path.iterdir()) and not force:
        raise _refuse(path, "a folder that is not empty")
    io.write_network(frames, path)
    text = README.format(target=path) + schema_markdown("##")
    io.write_text(path / "README.md", text)
    return path
