"""Checks of the input tables against the schema and against each other.

Every ``check_*`` function returns a list of problems (strings naming table, row and
column) instead of raising, so that :func:`validate_tables` can report all of them in
one :class:`~resilient_sc.exceptions.ValidationError`. Row numbers are spreadsheet rows:
the header is row 1, the first data row is row 2. How a problem is placed and worded (rows
listed then counted, values shortened, the closest known name) is :mod:`resilient_sc.wording`'s.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from .format import as_given, cell_text, quantity
from .limits import Limits, current
from .period_rows import PERIOD_TABLES, TOTALS, check_periods, effective_rows, listed_periods, named_periods
from .schema import (
    ALL_PRODUCTS,
    BLANK_SUSPECT,
    BLANKS,
    DEFAULT_PRODUCT,
    FAILURE_KINDS,
    STATUSES,
    TABLES,
    Column,
    Table,
)
from .table_cells import Distinct, is_blank, is_hashable, spread, text_blank
from .thousands import dot_thousands
from .wording import INVISIBLE, SHOWN, each_row, number_hint, quote, suggest, unknown_references, where

Frames = Mapping[str, pd.DataFrame]

_INTEGER = re.compile(r"-?\d+")
#: the error values a spreadsheet shows for a formula that failed (Excel's, LibreOffice's Err:502),
#: saved as text in a CSV: as a region they were a real region, China 'local' to the US (audit)
SPREADSHEET_ERRORS = re.compile(r"(?i)#(N/?A|REF!|NAME\?|VALUE!|DIV/0!|NUM!|NULL!|SPILL!|CALC!|FIELD!"
                                r"|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!|GETTING_DATA)|Err:\d{3}")

#: number columns that must hold whole numbers (a count of periods)
WHOLE_NUMBERS = frozenset({"lead_time"})


def _unhashable_cells(name: str, df: pd.DataFrame, problems: list[str], distinct: Distinct) -> None:
    """A problem per cell holding a list, a dict, a set or an array (``groupby().agg(list)``,
    ``json_normalize``): a cell holds one value."""
    for col in (c for c in df.columns if c != "_row" and df[c].dtype == object):
        if distinct.hashable(col):
            continue
        values = df[col].to_numpy(dtype=object)
        each_row(problems, name, [pos for pos, v in enumerate(values) if not is_hashable(v)],
                 lambda pos, c=col, v=values: f"{where(name, df, pos)} | {c} {quote(str(v[pos]))} is a "
                                              f"{type(v[pos]).__name__}: a cell holds one value",
                 f"{col} holds a list or a dict")


#: the words of an infinite number ('unlimited': how workbooks write a hub's unlimited capacity)
_INF_WORDS = {"inf", "infinity", "unlimited"}


#: the kinds of column held as text
TEXT_KINDS = ("id", "text", "status", "kind")
#: the type pandas gives a column of text cells (str in pandas 3, object before)
TEXT_DTYPE = pd.DataFrame({"text": np.array(["text"], dtype=object)})["text"].dtype


def _coerce_column(table: Table, col: Column, df: pd.DataFrame, distinct: Distinct, problems: list[str],
                   limits: Limits) -> np.ndarray:
    """Column ``col`` of ``df`` converted to its kind, with defaults filled in."""
    name = table.name
    present = col.name in df.columns
    series = df[col.name] if present else pd.Series([None] * len(df), index=df.index, dtype=object)
    numeric = (col.kind not in TEXT_KINDS and pd.api.types.is_numeric_dtype(series)
               and not pd.api.types.is_bool_dtype(series)
               and not pd.api.types.is_complex_dtype(series))  # as text: '(5+1j)' is not a number
    if numeric:
        raw = series.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(raw)
        codes, uniques = np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    else:
        raw = series.to_numpy(dtype=object)
        if present:
            codes, uniques = distinct(col.name)
        else:
            codes, uniques = np.full(len(df), -1, dtype=np.intp), np.zeros(0, dtype=object)
        blank = spread(text_blank(uniques), codes, True, bool)
    if col.required and present:
        each_row(problems, name, np.flatnonzero(blank),
                 lambda pos: f"{where(name, df, pos)} | {col.name} is required but blank",
                 f"{col.name} is blank")
    if col.kind in TEXT_KINDS:
        default = col.default if col.default is not None else ""
        # one spelling of each name: an NFD 'München' (macOS) matches an NFC one (Windows)
        texts = [unicodedata.normalize("NFC", cell_text(u).strip()) for u in uniques]
        if col.kind == "id":  # a float id (pandas' read of 101 beside a blank) reads as '101'; text stays,
            # but a period's '2027.0' is pandas' write of that read (a CSV round trip): it reads as 2027
            period = col.name == "period"
            texts = [t[:-2] if (period or isinstance(u, float)) and t.endswith(".0")
                     and _INTEGER.fullmatch(t[:-2]) else t for u, t in zip(uniques, texts, strict=True)]
        if col.kind in ("id", "text"):
            control = spread([INVISIBLE.search(t) is not None for t in texts], codes, False, bool) & ~blank
            what = "an id" if col.kind == "id" else f"a {col.name}"
            each_row(problems, name, np.flatnonzero(control),
                     lambda pos: f"{where(name, df, pos)} | {col.name} {quote(raw[pos])} holds a control "
                                 f"or invisible character; {what} is printable text",
                     f"{col.name} holds a control or invisible character")
            failed = spread([SPREADSHEET_ERRORS.fullmatch(t) is not None for t in texts], codes, False, bool)
            each_row(problems, name, np.flatnonzero(failed),
                     lambda pos: f"{where(name, df, pos)} | {col.name} {quote(raw[pos])} is a spreadsheet's "
                                 "error value (a formula that failed, such as a lookup that found nothing, "
                                 f"saved as text); type the {col.name} itself",
                     f"{col.name} is a spreadsheet's error value")
        if col.kind in ("status", "kind"):
            texts = [t.lower() for t in texts]
        out = spread(texts, codes, default, object)
        out[blank] = default
        if col.kind in ("status", "kind"):
            allowed = STATUSES if col.kind == "status" else FAILURE_KINDS
            wrong = spread([t not in allowed for t in texts], codes, False, bool) & ~blank
            each_row(problems, name, np.flatnonzero(wrong),
                     lambda pos: f"{where(name, df, pos)} | {col.name} {quote(raw[pos])} must be "
                                 f"one of {', '.join(allowed)}{suggest(out[pos], allowed)}",
                     f"{col.name} is not one of {', '.join(allowed)}")
        return out
    overflow = np.zeros(len(raw), dtype=bool)
    if numeric:
        values = raw.copy()
    else:
        texts = [str(u).strip() for u in uniques]
        spelled = ["inf" if t.lower() == "unlimited" else t for t in texts]
        parsed = np.array([_number(t) for t in spelled], dtype=float)
        values = spread(parsed, codes, math.nan, float)
        values[blank] = math.nan
        # '1e400' parses as inf: too big, not the 'inf' a capacity may be
        overflow = spread([bool(np.isinf(x)) and t.lower().lstrip("+-") not in _INF_WORDS
                            for x, t in zip(parsed, texts, strict=True)], codes, False, bool)
    # 'nan' or 'NaN' typed in a cell is not a number (never the default): only a blank is
    bad = np.isnan(values) & ~blank
    each_row(problems, name, np.flatnonzero(bad),
             lambda pos: f"{where(name, df, pos)} | {col.name} {quote(raw[pos])} is not a number"
                         f"{number_hint(str(raw[pos]), fraction=col.unit == 'fraction')}",
             f"{col.name} is not a number")
    ok = ~np.isnan(values)
    v = values
    too_big = f"is over the limit of {limits.describe('magnitude')}"
    checks: list[tuple[np.ndarray, str]] = [(overflow, too_big)]
    finite_only = col.kind in ("number", "share")
    if col.kind in ("number", "capacity", "share"):  # -inf of a number or share: 'must be finite' alone
        checks.append((ok & (v < 0) & ~overflow & ~(finite_only & np.isinf(v)), "must be >= 0"))
    if finite_only:
        checks.append((ok & np.isinf(v) & ~overflow, "must be finite"))
    if col.kind in ("number", "capacity"):
        hint = "; blank, inf or unlimited mean unlimited" if col.kind == "capacity" else ""
        checks.append((ok & np.isfinite(v) & (np.abs(v) > limits.magnitude), f"{too_big}{hint}"))
    if col.kind == "share":
        checks.append((ok & (v > 1) & np.isfinite(v), "must be in [0, 1]"))
    if col.kind == "lat":
        checks.append((ok & (np.abs(v) > 90) & ~overflow, "must be in [-90, 90]"))
    if col.kind == "lon":
        checks.append((ok & (np.abs(v) > 180) & ~overflow, "must be in [-180, 180]"))
    def percent(pos: int, message: str) -> str:  # a probability 3 for 3%: the fraction to write
        return (f": a fraction, {as_given(v[pos] / 100)} for {as_given(v[pos])}%"
                if message == "must be in [0, 1]" and 2 <= v[pos] <= 100 else "")

    for mask, message in checks:
        each_row(problems, name, np.flatnonzero(mask),
                 lambda pos, message=message: f"{where(name, df, pos)} | {col.name} "
                 f"{quote(raw[pos]) if overflow[pos] or np.isinf(v[pos]) else as_given(v[pos])} {message}"
                 f"{percent(pos, message)}",
                 f"{col.name} {message.split(' (')[0]}")
    if col.name in WHOLE_NUMBERS:  # 1.5 periods: no period to start in
        fraction = ok & np.isfinite(v) & (v >= 0) & (np.abs(v) <= limits.magnitude) & (v != np.floor(v))
        each_row(problems, name, np.flatnonzero(fraction),
                 lambda pos: f"{where(name, df, pos)} | {col.name} {v[pos]:.12g} must be a whole "
                             "number of periods",
                 f"{col.name} is not a whole number")
    default = col.default if col.default is not None else math.nan
    values[blank] = default
    return values


#: a unit in brackets after a column's name: 'capacity (units)', 'unit_cost [EUR]'
_BRACKETED = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")


def _columns(name: str, df: pd.DataFrame, problems: list[str]) -> pd.DataFrame:
    """``df`` with its column names stripped and lower-cased; a column named twice, an unknown
    name (with the closest known one) or a column of data without a name are problems.
    Unnamed blank columns (trailing commas, empty spreadsheet columns) and ``_row`` are dropped."""
    table = TABLES[name]
    names = [str(c).strip().lower() for c in df.columns]
    at: dict[str, list[int]] = {}
    for j, n in enumerate(names):
        at.setdefault(n, []).append(j + 1)
    keep: list[int] = []
    found: list[str] = []
    seen: set[str] = {"_row"}
    for i, col in enumerate(names):
        if col in seen:
            continue
        if col == "":
            filled = np.flatnonzero(~is_blank(df.iloc[:, i]))
            if len(filled):
                found.append(f"({name}) | column {i + 1} has no name in the header row but holds "
                             f"data (row {int(filled[0]) + 2}); name it or delete it")
            continue
        seen.add(col)
        if len(at[col]) > 1:
            found.append(f"({name}) | column {quote(col)} appears {len(at[col])} times (columns "
                         f"{', '.join(map(str, at[col][:5]))}); keep one")
        stem = _BRACKETED.sub("", col)  # 'capacity (units)': its values are read, said once
        if col not in table.names and stem in table.names and stem not in names:
            found.append(f"({name}) | column {quote(col)}: name it {quote(stem)}; a unit in the header is "
                         "not read (quantities are in their product's unit, money in the data's currency)")
            names[i] = stem
        elif col not in table.names:
            found.append(f"({name}) | unknown column {quote(col)}{suggest(col, table.names)}; "
                         f"columns are: {', '.join(table.names)}")
            continue
        keep.append(i)
    problems += found[:SHOWN]
    if len(found) > SHOWN:
        problems.append(f"({name}) | … and {len(found) - SHOWN:,} more problems with the header row")
    out = df.iloc[:, keep]
    out.columns = [names[i] for i in keep]
    return out


def coerce_table(name: str, df: pd.DataFrame, problems: list[str], warnings: list[str],
                 limits: Limits | None = None) -> pd.DataFrame:
    """``df`` checked against the schema of table ``name``, typed and with defaults filled in.

    The result has every schema column plus ``_row`` (the spreadsheet row of each record): the
    index of ``df`` when it is an integer index named ``_row`` (a sheet's rows holding data),
    else its position + 2.
    """
    table = TABLES[name]
    limits = current(limits)
    given = df.index.name == "_row" and pd.api.types.is_integer_dtype(df.index)
    rows = df.index.to_numpy(dtype=np.int64) if given else np.arange(2, len(df) + 2)
    headless = not any(str(c).strip() for c in df.columns if c != "_row")  # a sheet cleared of every cell
    indexed = {str(n).strip().lower() for n in df.index.names if n is not None}  # df.set_index('supplier')
    df = _columns(name, df.reset_index(drop=True), problems)
    df["_row"] = rows
    distinct = Distinct(df)
    _unhashable_cells(name, df, problems, distinct)
    # drop rows that are blank everywhere (trailing lines of a spreadsheet)
    data_cols = [c for c in df.columns if c != "_row"]
    if data_cols:
        empty = np.logical_and.reduce([distinct.blank(c) for c in data_cols])
        if empty.any():
            df = distinct.keep(df, ~empty)
    df = _without_totals(name, df, distinct, problems)
    df = _without_units_row(name, df, distinct, problems)
    df = _without_dragged_rows(name, df, distinct, warnings)
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    keyed = not missing  # else the keys compared would be defaults: no duplicates said
    if missing and headless:
        problems.append(f"({name}) | the table has no header row; give its header ({', '.join(table.names)})"
                        + ("" if table.required else " or leave the table out (it is optional)"))
        missing = []
    for c in missing:
        problems.append(f"({name}) | required column '{c}' is missing"
                        + (" (it is the DataFrame's index: pass df.reset_index())" if c in indexed else "")
                        + f"; columns are: {', '.join(table.names)}")
    if table.required and len(df) == 0:
        problems.append(f"({name}) | the table has no rows")
    warnings += dot_thousands(table, df, distinct)
    out = pd.DataFrame({col.name: _coerce_column(table, col, df, distinct, problems, limits)
                        for col in table.columns})
    out["_row"] = df["_row"].to_numpy()
    _long_cells(name, out, problems, limits)
    if not len(out):  # typed as text columns of rows are (pandas 3: str), not object: one network
        out = out.astype({c.name: TEXT_DTYPE for c in table.columns if c.kind in TEXT_KINDS})
    out.attrs[BLANKS] = {c: tuple(np.flatnonzero(distinct.blank(c)))  # for suspicious.blank_warnings
                         for c in BLANK_SUSPECT.get(name, ()) if c in df}
    if keyed:
        problems += duplicate_keys(name, out)
    return out


def _long_cells(name: str, out: pd.DataFrame, problems: list[str], limits: Limits) -> None:
    """A problem per text cell of the typed table longer than ``limits.cell_chars``, as the file
    readers refuse it: tables given as frames (the API, the app's *Use edits*) took a hub id of
    1,600 characters, and the app's own download was then refused by its uploader (security audit)."""
    for col in TABLES[name].columns:
        if col.kind not in TEXT_KINDS or not len(out):
            continue
        lengths = out[col.name].str.len().to_numpy(dtype=float, na_value=0.0)
        each_row(problems, name, np.flatnonzero(lengths > limits.cell_chars),
                 lambda pos, col=col.name, lengths=lengths:
                 f"({name}, row {int(out['_row'].iloc[pos])}) | the cell in column '{col}' "
                 f"{limits.long_cell(int(lengths[pos]))}",
                 f"a cell of column '{col.name}' is over the limit of {limits.describe('cell_chars')}")


def duplicate_keys(name: str, df: pd.DataFrame, why: str = "") -> list[str]:
    """A problem per row of the typed table ``name`` whose key an earlier row has (``why``: what
    made two spellings one key)."""
    key, problems = list(TABLES[name].key), []
    dup = np.flatnonzero(df.duplicated(key, keep="first").to_numpy())
    if len(dup):  # linear: the first row of each key by one groupby, not a scan per duplicate
        first = df.groupby(key, sort=False)["_row"].transform("first").to_numpy()
        each_row(problems, name, dup,
                 lambda pos: f"{where(name, df, pos)} | duplicate of row {int(first[pos])} "
                             f"({', '.join(key)} must be unique{why})",
                 f"the {', '.join(key)} duplicate an earlier row", shown=5)
    return problems


def check_references(t: Frames) -> list[str]:
    """Ids that name countries, suppliers, hubs, markets or products that do not exist."""
    problems: list[str] = []
    countries = set(t["countries"]["country"])
    for name in ("suppliers", "hubs", "markets"):
        unknown_references(problems, name, t[name], "country", countries, "countries")
    unknown_references(problems, "supplier_products", t["supplier_products"], "supplier",
                       set(t["suppliers"]["supplier"]), "suppliers")
    unknown_references(problems, "demand", t["demand"], "market", set(t["markets"]["market"]), "markets")
    if "tariffs" in t:
        for col in ("origin_country", "destination_country"):
            unknown_references(problems, "tariffs", t["tariffs"], col, countries, "countries")
    def reserved(df: pd.DataFrame, pos: int) -> str:
        """Why the product of row ``pos`` is refused: 'all' in any case ('ALL' as a product id made
        a tariff row 'ALL' that product's alone, where the docs read it as every product's)."""
        given = df["product"].iloc[pos]
        said = f"'{ALL_PRODUCTS}'" if given == ALL_PRODUCTS else f"{given!r} ('{ALL_PRODUCTS}' in any case)"
        return f"{said} is reserved for lanes and tariffs that apply to every product"

    def is_all(df: pd.DataFrame) -> np.ndarray:
        return np.flatnonzero((df["product"].str.lower() == ALL_PRODUCTS).to_numpy())

    if "products" in t:
        known = set(t["products"]["product"])
        # 'all' gets its own message below, not a second one about products
        for name in ("supplier_products", "demand", "lanes", "tariffs"):
            if name in t:
                df = t[name]
                allowed = known | {ALL_PRODUCTS} if name in ("lanes", "tariffs") else known  # 'ALL'?
                unknown_references(problems, name, df.loc[df["product"].str.lower() != ALL_PRODUCTS],
                                   "product", allowed, "products", hint=lambda v, known=allowed: (
                                       f" (a blank product cell reads as {DEFAULT_PRODUCT!r})" * (
                                           v == DEFAULT_PRODUCT) + suggest(v, known)))
        df = t["products"]
        df = df.loc[df["_row"] > 0]  # row 0: derived from the data, not a products table
        each_row(problems, "products", is_all(df),
                 lambda pos: f"{where('products', df, pos)} | {reserved(df, pos)}", "the product is 'all'")
    for name in ("supplier_products", "demand"):
        df = t[name]
        each_row(problems, name, is_all(df),
                 lambda pos, name=name, df=df: f"{where(name, df, pos)} | product {reserved(df, pos)}",
                 "the product is 'all'")
    return problems


#: what a planner types in a cell for "none" (a bloc so named is a bloc: its countries allies); not
#: 'na', which may be North America's
NO_VALUE_WORDS = frozenset({"none", "nobloc", "(none)", "n/a", "n.a.", "n.a", "nil", "null", "nan", "-", "–",
                            "—", "/", "?", "0", "false"})  # 0, FALSE: a spreadsheet's lookup of a blank


def check_none_words(t: Frames) -> list[str]:
    """A region or bloc written as a word for none (``none``, ``n/a``, ``-``): any text is a
    region or bloc, so the countries given it were local to, or allies of, each other (BR and CN
    both bloc 'none' under min_allied_share 1: 960 where blank gave 4,160, without a word:
    spreadsheets audit; CN, US and CA region '0' made China local to the US: output audit);
    ``0`` and ``FALSE`` too, what Excel's VLOOKUP of a blank cell gives, unless every region or
    bloc is a number (numbered 0, 1, 2); blank is no bloc (§8.1)."""
    df, problems = t["countries"], []
    for col, what, own in (("region", "local to each other", "give the country's region"),
                           ("bloc", "allies of each other", "leave the cell blank for no bloc, or give a "
                                                            "bloc so named a name with letters")):
        words = df[col].astype(str).str.casefold().str.replace(" ", "")
        given = words[words != ""]  # regions numbered 0, 1, 2: 0 is one (review audit)
        numbered = given.str.fullmatch(r"\d+").all() and given.nunique() > 1
        none = NO_VALUE_WORDS - {"0"} if numbered else NO_VALUE_WORDS
        each_row(problems, "countries", np.flatnonzero(words.isin(none).to_numpy()),
                 lambda pos, col=col, what=what, own=own: f"{where('countries', df, pos)} | {col} "
                 f"{quote(df[col].iloc[pos])} reads as no {col}, but any text is a {col}, whose countries "
                 f"are {what}: {own}", f"the {col} is a word for none")
    return problems


def check_node_ids(t: Frames) -> list[str]:
    """Supplier, hub and market ids must be distinct from each other (lanes name them alone)."""
    problems: list[str] = []
    earlier: list[tuple[str, pd.Series]] = []
    for name, col in (("suppliers", "supplier"), ("hubs", "hub"), ("markets", "market")):
        df = t[name]
        ids = df[col]
        for kind, other in earlier:
            clash = ids.isin(set(other)).to_numpy()
            each_row(problems, name, np.flatnonzero(clash),
                     lambda pos, df=df, ids=ids, col=col, kind=kind, name=name:
                     f"{where(name, df, pos)} | {col} {quote(ids.iloc[pos])} is also a {kind} id; "
                     "supplier, hub and market ids must be distinct",
                     f"the {col} is also a {kind} id")
            ids = ids.where(~clash, None)  # one message per row: the first kind it clashes with
        earlier.append((col, df[col]))
    return problems


def _kind_of(ids: pd.Series, sets: dict[str, set[str]]) -> np.ndarray:
    """The kind of each node id (``supplier`` before ``hub`` before ``market``), ``''`` if none."""
    out = np.full(len(ids), "", dtype=object)
    for kind in reversed(list(sets)):
        out[ids.isin(sets[kind]).to_numpy()] = kind
    return out


def check_lanes(t: Frames) -> list[str]:
    """Lanes must run supplier -> hub or hub -> market."""
    problems: list[str] = []
    lanes = t["lanes"]
    sets = {"supplier": set(t["suppliers"]["supplier"]), "hub": set(t["hubs"]["hub"]),
            "market": set(t["markets"]["market"])}
    ko, kd = _kind_of(lanes["origin"], sets), _kind_of(lanes["destination"], sets)
    ok = ((ko == "supplier") & (kd == "hub")) | ((ko == "hub") & (kd == "market"))
    unknown_o, unknown_d = (ko == ""), (kd == "") & (ko != "")

    # sorted: which ids a suggestion is sought among does not follow hash order (over 5,000 ids)
    nodes = sorted(set().union(*sets.values())) if (unknown_o.any() or unknown_d.any()) else []

    def unknown(col: str) -> Callable[[int], str]:
        return lambda pos: (f"{where('lanes', lanes, pos)} | {col} {quote(lanes[col].iloc[pos])} is "
                            f"not a supplier, hub or market{suggest(lanes[col].iloc[pos], nodes)}")

    each_row(problems, "lanes", np.flatnonzero(unknown_o), unknown("origin"),
             "the origin is not a supplier, hub or market")
    each_row(problems, "lanes", np.flatnonzero(unknown_d), unknown("destination"),
             "the destination is not a supplier, hub or market")
    each_row(problems, "lanes", np.flatnonzero(~ok & ~unknown_o & ~unknown_d),
             lambda pos: f"{where('lanes', lanes, pos)} | a lane {ko[pos]} -> {kd[pos]} is not "
                         "allowed; lanes run supplier -> hub or hub -> market",
             "the lane runs neither supplier -> hub nor hub -> market")
    return problems


def check_disruptions(t: Frames) -> list[str]:
    """Disrupted elements must exist; the rows of one scenario must share one probability."""
    problems: list[str] = []
    df = t.get("disruptions")
    if df is None or len(df) == 0:
        return problems
    known = {"supplier": set(t["suppliers"]["supplier"]), "hub": set(t["hubs"]["hub"]),
             "country": set(t["countries"]["country"])}
    for kind, ids in known.items():
        bad = ((df["kind"] == kind) & ~df["element"].isin(ids)).to_numpy()
        each_row(problems, "disruptions", np.flatnonzero(bad),
                 lambda pos, kind=kind, ids=ids: f"{where('disruptions', df, pos)} | element "
                 f"{quote(df['element'].iloc[pos])} is not a {kind} id (kind is '{kind}')"
                 f"{suggest(df['element'].iloc[pos], ids)}",
                 f"the element is not a {kind} id")
    first = df.groupby("scenario", sort=False)["probability"].transform("first")
    each_row(problems, "disruptions",
             np.flatnonzero(~np.isclose(df["probability"].to_numpy(float), first.to_numpy(float))),
             lambda pos: f"{where('disruptions', df, pos)} | probability "
                         f"{df['probability'].iloc[pos]:g} differs from {first.iloc[pos]:g} on an "
                         f"earlier row of scenario {quote(df['scenario'].iloc[pos])}; one probability "
                         "per scenario",
             "the probability differs from an earlier row of its scenario")
    return problems


def _without_totals(name: str, df: pd.DataFrame, distinct: Distinct, problems: list[str]) -> pd.DataFrame:
    """``df`` without the rows whose first key reads as a total (:data:`TOTALS`: a 'Total' row
    under a sheet's data) and whose other keys are blank, each said once (read as data, one
    such row gave four errors: market 'Total' not in markets, product 'default' not in products,
    ...). A table of one key keeps them (a supplier 'TOTAL'); a period has its own words."""
    key = TABLES[name].key
    if name == "periods" or len(key) < 2 or key[0] not in df.columns or len(df) == 0:
        return df  # one key column: a supplier 'TOTAL' (TotalEnergies) may be one
    named = np.ones(len(df), dtype=bool)
    for other in key[1:]:  # the rest of its keys blank, as under a SUM
        if other in df.columns:
            named &= distinct.blank(other)
    rows = np.flatnonzero(named)  # the first key read only there (4.9M demand rows: 6.7 s to 0.2 s)
    named[rows] = [isinstance(v, str) and TOTALS.match(v) is not None
                   for v in df[key[0]].to_numpy(dtype=object)[rows]]
    if not named.any():
        return df
    each_row(problems, name, np.flatnonzero(named),
             lambda pos: f"({name}, row {int(df['_row'].iloc[pos])}) | {key[0]} "  # its other keys: blank
                         f"{quote(str(df[key[0]].iloc[pos]))} reads as a "
                         "totals row, not data: every row is read as data; delete it",
             f"{key[0]} reads as a total")
    return distinct.keep(df, ~named)


def _without_units_row(name: str, df: pd.DataFrame, distinct: Distinct, problems: list[str]) -> pd.DataFrame:
    """``df`` without a first row of units under the header (``EUR``, ``units``, ``deg`` where
    numbers go, its keys blank), said once: read as data it gave a line per cell (7 for a hubs
    table, none naming the row for what it is: spreadsheets audit)."""
    table = TABLES[name]
    if not len(df) or not all(k in df.columns and distinct.blank(k)[0] for k in table.key):
        return df
    cells = [str(df[c.name].iloc[0]).strip() for c in table.columns
             if c.kind not in TEXT_KINDS and c.name in df.columns and not distinct.blank(c.name)[0]]
    words = [c for c in cells if math.isnan(_number(c)) and not number_hint(c)]
    if len(words) < 2 or len(words) < len(cells):
        return df
    problems.append(f"({name}, row {int(df['_row'].iloc[0])}) | reads as a row of units under the header "
                    f"({', '.join(map(quote, words[:4]))}), not data: every row is read as data; delete it "
                    "(each column's unit is fixed: docs/data.md)")
    keep = np.ones(len(df), dtype=bool)
    keep[0] = False
    return distinct.keep(df, keep)


def _without_dragged_rows(name: str, df: pd.DataFrame, distinct: Distinct,
                          warnings: list[str]) -> pd.DataFrame:
    """``df`` without the rows whose keys are all blank and whose other cells are blank or 0, as
    formulas copied below the data leave them ("" and 0), said in one warning: each read as data
    gave 'required but blank' and 'duplicate of row 68', a hundred lines (spreadsheets audit)."""
    keys = [k for k in TABLES[name].key if k in df.columns]
    if not keys or not len(df):
        return df
    rows = np.flatnonzero(np.logical_and.reduce([distinct.blank(k) for k in keys]))
    if not len(rows):
        return df
    idle = np.ones(len(rows), dtype=bool)
    for c in (c for c in df.columns if c not in keys and c != "_row"):
        cells = df[c].iloc[rows]
        idle &= distinct.blank(c)[rows] | (pd.to_numeric(cells.astype(str).str.strip(), errors="coerce") == 0
                                           ).to_numpy(bool)
    if not idle.any():
        return df
    gone = rows[idle]
    numbers = df["_row"].to_numpy()[gone]
    shown = f"row {numbers[0]}" if len(gone) == 1 else f"rows {numbers[0]}-{numbers[-1]} ({len(gone):,})"
    warnings.append(f"({name}, {shown}) | every key blank and every other cell blank or 0 (formulas "
                    "copied below the data?): not read")
    keep = np.ones(len(df), dtype=bool)
    keep[gone] = False
    return distinct.keep(df, keep)


#: what capacity short of demand means for a plan (closed suppliers' capacity not counted)
SHORT_OF_CAPACITY = "every plan leaves it short: a policy without shortfall_penalty has no plan"


def check_coverage(t: Frames) -> tuple[list[str], list[str]]:
    """Demand that nothing can serve (errors) and capacity short of demand (warnings); with a
    ``periods`` table, in each period with the rows in force in it (:func:`effective_rows`)."""
    problems: list[str] = []
    warnings: list[str] = []
    ids = listed_periods(t)
    demand, sp = t["demand"], t["supplier_products"]
    # without periods: the blank-period rows (a row naming a period is already an error)
    in_force = (effective_rows(demand, PERIOD_TABLES["demand"], ids or [""]),
                effective_rows(sp, PERIOD_TABLES["supplier_products"], ids or [""]))
    positive = demand["demand"].to_numpy(dtype=float) > 0
    unmade: dict[int, list[str]] = {}
    short: dict[tuple[str, float, float], list[str]] = {}
    served = np.zeros(len(demand), dtype=bool)
    suppliers = t["suppliers"]
    closed = set(suppliers.loc[suppliers["status"] == "closed", "supplier"])
    for t_id in ids or [""]:
        rows = in_force[0][t_id][positive[in_force[0][t_id]]]
        served[rows] = True
        made_rows = sp.iloc[in_force[1][t_id]]
        made = made_rows.loc[made_rows["capacity"] > 0].groupby("product")["capacity"].sum()
        for pos in rows[~demand["product"].iloc[rows].isin(made.index).to_numpy()]:
            unmade.setdefault(int(pos), []).append(t_id)
        total = demand.iloc[rows].groupby("product")["demand"].sum()
        usable = made_rows.loc[(made_rows["capacity"] > 0) & ~made_rows["supplier"].isin(closed)]
        usable = usable.groupby("product")["capacity"].sum()  # a closed supplier makes nothing
        for product, need in total.items():
            have = float(usable.get(product, 0.0))
            if 0 < have < need * (1 - 1e-9):  # not for sums in another order, an ulp apart
                short.setdefault((str(product), have, float(need)), []).append(t_id)
    there = "" if not ids else " in that period"
    made_any = {str(p) for p in sp.loc[sp["capacity"] > 0, "product"]}  # a typo's likely product
    each_row(problems, "demand", sorted(unmade),
             lambda pos: f"{where('demand', demand, pos)} | no supplier makes product "
                         f"{quote(demand['product'].iloc[pos])}"
                         f"{f' in {named_periods(unmade[pos])}' if ids else ''} (no supplier_products row "
                         f"with capacity > 0{there if len(unmade[pos]) < 2 else ' in those periods'})"
                         f"{suggest(str(demand['product'].iloc[pos]), made_any)}",
             "no supplier makes the product")
    lanes = t["lanes"]
    markets = set(t["markets"]["market"])
    out = lanes.loc[lanes["destination"].isin(markets)]
    reach_all = set(out.loc[out["product"] == ALL_PRODUCTS, "destination"])
    reach = set(zip(out["destination"], out["product"], strict=True))
    row_market = demand["market"].to_numpy(dtype=object)
    row_product = demand["product"].to_numpy(dtype=object)
    # rows of a market not in markets: that is their problem (the lanes to it are refused as unknown)
    listed = [pos for pos in np.flatnonzero(served) if row_market[pos] in markets]
    unreached = [pos for pos in listed
                 if row_market[pos] not in reach_all and (row_market[pos], row_product[pos]) not in reach]
    each_row(problems, "demand", unreached,
             lambda pos: f"{where('demand', demand, pos)} | no lane reaches market "
                         f"{quote(demand['market'].iloc[pos])} with product "
                         f"{quote(demand['product'].iloc[pos])} (add a hub -> market lane in lanes)",
             "no lane reaches the market with the product")
    fed = _hubs_fed(t)
    hubs_of: dict[object, list[tuple[object, object]]] = {}
    for hub, market, product in zip(out["origin"], out["destination"], out["product"], strict=True):
        hubs_of.setdefault(market, []).append((hub, product))
    missing = {*unreached, *unmade}  # their own problem says what to add
    unfed = [pos for pos in listed if pos not in missing
             and not any((hub, row_product[pos]) in fed for hub, product in hubs_of.get(row_market[pos], ())
                         if product in (ALL_PRODUCTS, row_product[pos]))]
    each_row(problems, "demand", unfed,
             lambda pos: f"{where('demand', demand, pos)} | no supplier of product "
                         f"{quote(demand['product'].iloc[pos])} has a lane to a hub that reaches market "
                         f"{quote(demand['market'].iloc[pos])} (add a supplier -> hub lane in lanes)",
             "no supplier reaches the market's hubs with the product")
    products = t.get("products")
    named = (dict(zip(products["product"], products["unit"], strict=True))  # a repeated id: its problem
             if products is not None and "unit" in products else {})
    for (product, have, need), when in short.items():
        warnings.append(f"(supplier_products) | product {quote(product)}"
                        f"{f' in {named_periods(when)}' if ids else ''}: total capacity "
                        f"{quantity(have)} is below total demand {quantity(need)} (short by "
                        f"{quantity(need - have)} {named.get(product, 'units')} of {quote(product)}); "
                        f"{SHORT_OF_CAPACITY}")
    return problems, warnings


def _hubs_fed(t: Frames) -> set[tuple[object, object]]:
    """(hub, product) pairs some supplier making the product (capacity > 0 in some row) has a
    supplier -> hub lane for."""
    sp = t["supplier_products"]
    makes = sp.loc[sp["capacity"] > 0].groupby("supplier")["product"].agg(set).to_dict()
    hubs = set(t["hubs"]["hub"])
    lanes = t["lanes"]
    inbound = lanes.loc[lanes["origin"].isin(makes.keys()) & lanes["destination"].isin(hubs)]
    fed: set[tuple[object, object]] = set()
    for supplier, hub, product in zip(inbound["origin"], inbound["destination"], inbound["product"],
                                      strict=True):
        made = makes[supplier]
        fed.update((hub, p) for p in (made if product == ALL_PRODUCTS else made & {product}))
    return fed


def validate_tables(t: Frames) -> tuple[list[str], list[str]]:
    """All cross-table problems and warnings of typed tables (see :func:`coerce_table`; those of
    legal but suspicious data are :mod:`resilient_sc.suspicious`'s)."""
    problems = (check_references(t) + check_none_words(t) + check_node_ids(t) + check_lanes(t)
                + check_disruptions(t))
    periods, warnings = check_periods(t)
    coverage, short = check_coverage(t)
    return problems + periods + coverage, warnings + short


__all__ = ["coerce_table", "duplicate_keys", "validate_tables"]



def _number(text: str) -> float:
    """``text`` as a number, exactly as Python reads it (pandas before 3.1 read '2800.3333333333335'
    one unit in the last place off), NaN when it is none; digits of other scripts and '1_000'
    are none, as a planner's number is written.

    >>> _number("2800.3333333333335"), _number("1e3"), _number("1_000"), _number("٣")
    (2800.3333333333335, 1000.0, nan, nan)
    """
    if not text.isascii() or "_" in text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan
