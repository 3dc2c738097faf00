"""Checks of the input tables against the schema and against each other.

Every ``check_*`` function returns a list of problems (strings naming table, row and
column) instead of raising, so that :func:`validate_tables` can report all of them in
one :class:`~resilient_sc.exceptions.ValidationError`. Row numbers are spreadsheet rows:
the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .schema import ALL_PRODUCTS, FAILURE_KINDS, STATUSES, TABLES, Column, Table

Frames = Mapping[str, pd.DataFrame]

_BLANKS = {"", "nan", "none", "null", "na", "n/a"}


def where(table: str, df: pd.DataFrame | None = None, pos: int | None = None) -> str:
    """The ``(table, row N 'id')`` prefix of a problem about row ``pos`` (0-based) of ``df``."""
    if df is None or pos is None:
        return f"({table})"
    key = [c for c in TABLES[table].key if c in df.columns] if table in TABLES else []
    label = ", ".join(str(df[c].iloc[pos]) for c in key)
    return f"({table}, row {int(df['_row'].iloc[pos])} '{label}')"


def _per_value(series: pd.Series, fn: Callable[[pd.Series], pd.Series], missing: Any) -> np.ndarray:
    """``fn`` (a Series -> Series map) applied once per distinct value of ``series`` and spread
    back over its rows (``missing`` where null): ids repeat, so text work drops ~100×."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = fn(pd.Series(np.asarray(uniques, dtype=object), dtype=object)).to_numpy()
    return np.append(mapped, np.array([missing], dtype=mapped.dtype))[codes]


def _is_blank(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.isna()  # only text can spell a blank ('', 'n/a', ...)
    blank = _per_value(series, lambda u: u.astype(str).str.strip().str.lower().isin(_BLANKS), True)
    return pd.Series(blank.astype(bool), index=series.index)


def _coerce_column(table: Table, col: Column, df: pd.DataFrame, problems: list[str]) -> pd.Series:
    """Column ``col`` of ``df`` converted to its kind, with defaults filled in."""
    raw = df[col.name] if col.name in df.columns else pd.Series([None] * len(df), index=df.index)
    blank = _is_blank(raw)
    if col.required and col.name in df.columns:
        for pos in np.flatnonzero(blank.to_numpy()):
            problems.append(f"{where(table.name, df, pos)} | {col.name} is required but blank")
    if col.kind in ("id", "text", "status", "kind"):
        out = raw.astype(object).where(~blank, col.default if col.default is not None else "")

        def clean(u: pd.Series) -> pd.Series:
            u = u.astype(str).str.strip()
            # Excel hands integer-looking ids back as floats: 101.0 -> '101'
            return u.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True) if col.kind == "id" else u

        out = pd.Series(_per_value(out, clean, ""), index=raw.index, dtype=object)
        if col.kind in ("status", "kind"):
            out = out.str.lower()
            allowed = STATUSES if col.kind == "status" else FAILURE_KINDS
            for pos in np.flatnonzero((~out.isin(allowed) & ~blank).to_numpy()):
                problems.append(
                    f"{where(table.name, df, pos)} | {col.name} '{raw.iloc[pos]}' must be one "
                    f"of {', '.join(allowed)}"
                )
        return out
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(float)
    else:
        text = raw.astype(object).where(~blank, None)
        number = _per_value(text, lambda u: pd.to_numeric(u.astype(str).str.strip(), errors="coerce")
                            .astype(float), math.nan)
        values = pd.Series(number.astype(float), index=raw.index)
    bad = values.isna() & ~blank
    for pos in np.flatnonzero(bad.to_numpy()):
        problems.append(f"{where(table.name, df, pos)} | {col.name} '{raw.iloc[pos]}' is not a number")
    ok = ~values.isna()
    v = values.to_numpy()
    checks: list[tuple[np.ndarray, str]] = []
    if col.kind in ("number", "capacity", "share"):
        checks.append((ok.to_numpy() & (v < 0), "must be >= 0"))
    if col.kind in ("number", "share"):
        checks.append((ok.to_numpy() & np.isinf(v), "must be finite"))
    if col.kind == "share":
        checks.append((ok.to_numpy() & (v > 1) & np.isfinite(v), "must be in [0, 1]"))
    if col.kind == "lat":
        checks.append((ok.to_numpy() & (np.abs(v) > 90), "must be in [-90, 90]"))
    if col.kind == "lon":
        checks.append((ok.to_numpy() & (np.abs(v) > 180), "must be in [-180, 180]"))
    for mask, message in checks:
        for pos in np.flatnonzero(mask):
            problems.append(f"{where(table.name, df, pos)} | {col.name} {v[pos]:g} {message}")
    default = col.default if col.default is not None else math.nan
    return values.where(~blank, default).astype(float)


def coerce_table(name: str, df: pd.DataFrame, problems: list[str], warnings: list[str]) -> pd.DataFrame:
    """``df`` checked against the schema of table ``name``, typed and with defaults filled in.

    The result has every schema column plus ``_row`` (the spreadsheet row of each record).
    """
    table = TABLES[name]
    df = df.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    df = df.reset_index(drop=True)
    df["_row"] = np.arange(2, len(df) + 2)
    # drop rows that are blank everywhere (trailing lines of a spreadsheet)
    data_cols = [c for c in df.columns if c != "_row"]
    if data_cols:
        empty = np.logical_and.reduce([_is_blank(df[c]).to_numpy() for c in data_cols])
        df = df.loc[~empty].reset_index(drop=True)
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    for c in missing:
        problems.append(f"({name}) | required column '{c}' is missing; columns are: "
                        f"{', '.join(table.names)}")
    unknown = [c for c in df.columns if c not in table.names and c != "_row"]
    for c in unknown:
        warnings.append(f"({name}) | unknown column '{c}' is ignored; known columns: "
                        f"{', '.join(table.names)}")
    if table.required and len(df) == 0:
        problems.append(f"({name}) | the table has no rows")
    out = pd.DataFrame({col.name: _coerce_column(table, col, df, problems) for col in table.columns})
    out["_row"] = df["_row"].to_numpy()
    if not missing:
        dup = out.duplicated(list(table.key), keep="first")
        for pos in np.flatnonzero(dup.to_numpy()):
            first = out.loc[(out[list(table.key)] == out.loc[pos, list(table.key)]).all(axis=1), "_row"]
            problems.append(f"{where(name, out, pos)} | duplicate of row {int(first.iloc[0])} "
                            f"({', '.join(table.key)} must be unique)")
    return out


def _check_ref(problems: list[str], name: str, df: pd.DataFrame, col: str, known: set[str],
               what: str) -> None:
    for pos in np.flatnonzero((~df[col].isin(known)).to_numpy()):
        problems.append(f"{where(name, df, pos)} | {col} '{df[col].iloc[pos]}' is not in {what}")


def check_references(t: Frames) -> list[str]:
    """Ids that name countries, suppliers, hubs, markets or products that do not exist."""
    problems: list[str] = []
    countries = set(t["countries"]["country"])
    for name in ("suppliers", "hubs", "markets"):
        _check_ref(problems, name, t[name], "country", countries, "countries")
    _check_ref(problems, "supplier_products", t["supplier_products"], "supplier",
               set(t["suppliers"]["supplier"]), "suppliers")
    _check_ref(problems, "demand", t["demand"], "market", set(t["markets"]["market"]), "markets")
    if "tariffs" in t:
        for col in ("origin_country", "destination_country"):
            _check_ref(problems, "tariffs", t["tariffs"], col, countries, "countries")
    if "products" in t:
        known = set(t["products"]["product"])
        # 'all' gets its own message below, not a second one about products
        for name in ("supplier_products", "demand", "lanes", "tariffs"):
            if name in t:
                df = t[name]
                _check_ref(problems, name, df.loc[df["product"] != ALL_PRODUCTS], "product",
                           known, "products")
        df = t["products"]
        df = df.loc[df["_row"] > 0]  # row 0: derived from the data, not a products table
        for pos in np.flatnonzero((df["product"] == ALL_PRODUCTS).to_numpy()):
            problems.append(f"{where('products', df, pos)} | '{ALL_PRODUCTS}' is reserved for "
                            "lanes and tariffs that apply to every product")
    for name in ("supplier_products", "demand"):
        df = t[name]
        for pos in np.flatnonzero((df["product"] == ALL_PRODUCTS).to_numpy()):
            problems.append(f"{where(name, df, pos)} | product '{ALL_PRODUCTS}' is reserved for "
                            "lanes and tariffs that apply to every product")
    return problems


def check_node_ids(t: Frames) -> list[str]:
    """Supplier, hub and market ids must be distinct from each other (lanes name them alone)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name, col in (("suppliers", "supplier"), ("hubs", "hub"), ("markets", "market")):
        df = t[name]
        for pos, node in enumerate(df[col]):
            if node in seen and seen[node] != col:
                problems.append(f"{where(name, df, pos)} | {col} '{node}' is also a {seen[node]} id; "
                                "supplier, hub and market ids must be distinct")
            seen.setdefault(node, col)
    return problems


def check_lanes(t: Frames) -> list[str]:
    """Lanes must run supplier -> hub or hub -> market."""
    problems: list[str] = []
    lanes = t["lanes"]
    suppliers = set(t["suppliers"]["supplier"])
    hubs = set(t["hubs"]["hub"])
    markets = set(t["markets"]["market"])
    for pos, (o, d) in enumerate(zip(lanes["origin"], lanes["destination"], strict=True)):
        if (o in suppliers and d in hubs) or (o in hubs and d in markets):
            continue
        kind_o = "supplier" if o in suppliers else "hub" if o in hubs else \
            "market" if o in markets else None
        kind_d = "supplier" if d in suppliers else "hub" if d in hubs else \
            "market" if d in markets else None
        if kind_o is None or kind_d is None:
            unknown = o if kind_o is None else d
            col = "origin" if kind_o is None else "destination"
            problems.append(f"{where('lanes', lanes, pos)} | {col} '{unknown}' is not a supplier, "
                            "hub or market")
        else:
            problems.append(f"{where('lanes', lanes, pos)} | a lane {kind_o} -> {kind_d} is not "
                            "allowed; lanes run supplier -> hub or hub -> market")
    return problems


def check_disruptions(t: Frames) -> list[str]:
    """Disrupted elements must exist; the rows of one scenario must share one probability."""
    problems: list[str] = []
    df = t.get("disruptions")
    if df is None or len(df) == 0:
        return problems
    known = {"supplier": set(t["suppliers"]["supplier"]), "hub": set(t["hubs"]["hub"]),
             "country": set(t["countries"]["country"])}
    for pos, (kind, element) in enumerate(zip(df["kind"], df["element"], strict=True)):
        if kind in known and element not in known[kind]:
            problems.append(f"{where('disruptions', df, pos)} | element '{element}' is not a "
                            f"{kind} id (kind is '{kind}')")
    first = df.groupby("scenario", sort=False)["probability"].transform("first")
    for pos in np.flatnonzero(~np.isclose(df["probability"].to_numpy(float), first.to_numpy(float))):
        problems.append(f"{where('disruptions', df, pos)} | probability "
                        f"{df['probability'].iloc[pos]:g} differs from {first.iloc[pos]:g} on an "
                        f"earlier row of scenario '{df['scenario'].iloc[pos]}'; one probability "
                        "per scenario")
    return problems


def check_coverage(t: Frames) -> tuple[list[str], list[str]]:
    """Demand that nothing can serve (errors) and capacity short of demand (warnings)."""
    problems: list[str] = []
    warnings: list[str] = []
    demand = t["demand"]
    demand = demand.loc[demand["demand"] > 0]
    sp = t["supplier_products"]
    made = sp.loc[sp["capacity"] > 0].groupby("product")["capacity"].sum()
    for pos in np.flatnonzero((~demand["product"].isin(made.index)).to_numpy()):
        problems.append(f"{where('demand', demand, pos)} | no supplier makes product "
                        f"'{demand['product'].iloc[pos]}' (no supplier_products row with capacity > 0)")
    lanes = t["lanes"]
    markets = set(t["markets"]["market"])
    out = lanes.loc[lanes["destination"].isin(markets)]
    reach_all = set(out.loc[out["product"] == ALL_PRODUCTS, "destination"])
    reach = set(zip(out["destination"], out["product"], strict=True))
    for pos, (m, p) in enumerate(zip(demand["market"], demand["product"], strict=True)):
        if m not in reach_all and (m, p) not in reach:
            problems.append(f"{where('demand', demand, pos)} | no lane reaches market '{m}' "
                            f"with product '{p}' (add a hub -> market lane in lanes)")
    total = demand.groupby("product")["demand"].sum()
    for product, need in total.items():
        have = float(made.get(product, 0.0))
        if 0 < have < need:
            warnings.append(f"(supplier_products) | product '{product}': total capacity "
                            f"{have:,.6g} is below total demand {need:,.6g} (short by "
                            f"{need - have:,.6g} units); the plan will be infeasible unless "
                            "the policy sets shortfall_penalty")
    return problems, warnings


def validate_tables(t: Frames) -> tuple[list[str], list[str]]:
    """All cross-table problems and warnings of typed tables (see :func:`coerce_table`)."""
    problems = check_references(t) + check_node_ids(t) + check_lanes(t) + check_disruptions(t)
    coverage, warnings = check_coverage(t)
    return problems + coverage, warnings


__all__ = ["coerce_table", "validate_tables", "where"]
