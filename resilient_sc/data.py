"""The validated network: a frozen container of typed DataFrames, read from CSV or Excel."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import os
import re
import warnings as _warnings
from collections.abc import Collection, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataWarning, ValidationError, check_path, user_stacklevel, warnings_ignored
from .format import count
from .limits import Limits, current, read_bytes
from .period_rows import unlisted_demand_periods
from .schema import ALL_PRODUCTS, BLANKS, REQUIRED_TABLES, TABLES, mentioned_table, names_columns
from .suspicious import suspicious
from .validation import coerce_table, validate_tables
from .wording import SHOWN, brief, clip, closest, each_row, not_read, quote, suggest, where
from .xlsx_tables import (
    HIDDEN,
    HIDDEN_ROWS,
    OLE2_MAGIC,
    READ_WARNINGS,
    ZIP_MAGIC,
    keep_warnings,
    read_workbook,
)

#: set while the library builds a Network from tables it validated (or derived from validated ones)
_VALIDATING: ContextVar[bool] = ContextVar("validating", default=False)


@dataclass(frozen=True, eq=False)
class Network:
    """A supply network of validated tables (the data contract, docs/data.md), never modified after
    creation: every model refuses it once a table was edited in place (:meth:`changed_tables`).

    Build one with :func:`read_network` or :meth:`Network.from_frames`, and a changed copy with
    :meth:`replace` (validated again); one built otherwise (``Network(...)``,
    ``dataclasses.replace``) is refused by every model. Each table is a
    DataFrame with every schema column (defaults filled in) plus ``_row``, the spreadsheet
    row it came from. ``products`` is always present (derived when not given); ``tariffs``,
    ``disruptions`` and ``periods`` are empty when not given (no periods: one period).
    """

    countries: pd.DataFrame
    products: pd.DataFrame
    suppliers: pd.DataFrame
    supplier_products: pd.DataFrame
    hubs: pd.DataFrame
    markets: pd.DataFrame
    demand: pd.DataFrame
    lanes: pd.DataFrame
    tariffs: pd.DataFrame
    disruptions: pd.DataFrame
    periods: pd.DataFrame
    source: str = ""
    warnings: tuple[str, ...] = field(default=())
    #: the absolute path the tables were read from (:func:`read_network`; '' when built in memory):
    #: outputs are never written over, inside or around it
    location: str = ""
    #: a digest of each table as validated: :meth:`changed_tables` finds an edit made since
    #: (None: built without validation)
    _digests: dict[str, bytes] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digests = {name: _digest(getattr(self, name)) for name in TABLES} if _VALIDATING.get() else None
        object.__setattr__(self, "_digests", digests)

    @property
    def validated(self) -> bool:
        """Whether the tables were validated: built by :func:`read_network`,
        :meth:`from_frames` or :meth:`replace` (not ``Network(...)`` or ``dataclasses.replace``)."""
        return self.__dict__.get("_digests", {}) is not None

    def replace(self, **tables: pd.DataFrame) -> Network:
        """A copy with the given tables replaced (as :meth:`from_frames` takes them; a ``_row``
        column is dropped), all validated again; this network is not modified.

        >>> from resilient_sc import examples
        >>> net = examples.tiny()
        >>> net.replace(demand=net.demand.assign(demand=2 * net.demand["demand"])).demand["demand"].tolist()
        [160.0]
        """
        frames = self.frames()
        for name, df in tables.items():
            frames[name] = df.drop(columns="_row", errors="ignore") if isinstance(df, pd.DataFrame) else df
        return Network.from_frames(source=self.source, **frames)._derived(location=self.location)

    def _derived(self, **changes: Any) -> Network:
        """A copy with ``changes`` that the library derived from these validated tables (a
        period's rows, lead times, the location read from), kept as validated."""
        token = _VALIDATING.set(self.validated)
        try:
            return dataclasses.replace(self, **changes)
        finally:
            _VALIDATING.reset(token)

    def unit_of(self, product: str) -> str:
        """What one unit of ``product`` is: its ``unit`` in the products table (``units`` by
        default, and for a product not listed).

        >>> from resilient_sc import examples
        >>> examples.tiny().unit_of("default")
        'units'
        """
        if "unit" not in self.products:  # a Network pickled before products had a unit
            return "units"
        named = self.products.loc[self.products["product"] == product, "unit"]
        return str(named.iloc[0]) if len(named) else "units"

    def units(self) -> dict[str, str]:
        """:meth:`unit_of` each product of the products table, in its order."""
        return {str(p): self.unit_of(str(p)) for p in self.products["product"]}

    @property
    def has_demand(self) -> bool:
        """Whether any market wants anything (a demand row above 0): else every plan is empty,
        and no failure can leave a market short."""
        return bool((self.demand["demand"] > 0).any())

    def changed_tables(self) -> list[str]:
        """The tables edited in place since this network was validated (a DataFrame's cells can
        be set; the network cannot check them again by itself): models refuse to build from such
        a network (:func:`resilient_sc.model.build.given_policy`)."""
        kept = self.__dict__.get("_digests", {}) or {}  # none in a Network pickled before digests were kept
        return [name for name in kept if _digest(getattr(self, name)) != kept[name]]

    def tables_differing_from(self, other: Network, ignoring: Collection[str] = ()) -> list[str]:
        """The tables whose rows differ between this network and ``other``, whatever their order
        or the spreadsheet rows they came from (columns ``ignoring`` left out)."""
        if other is self:
            return []
        return [name for name in TABLES
                if _rows_digest(getattr(self, name), name, ignoring)
                != _rows_digest(getattr(other, name), name, ignoring)]

    @classmethod
    def from_frames(cls, tables: Mapping[str, pd.DataFrame] | None = None, /, *, source: str = "",
                    limits: Limits | None = None, **frames: pd.DataFrame) -> Network:
        """Validate DataFrames named like the tables of the data contract (docs/data.md) into a Network:
        a mapping of them (``Network.from_frames(network.frames())``, which a type checker takes,
        where ``**frames`` could fill ``source``), or each by name, or both.

        Raises :class:`ValidationError` listing every problem; warns (:class:`DataWarning`)
        about suspicious data. The frames passed in are not modified. Numbers are bounded by
        ``limits`` (default: :func:`resilient_sc.limits.current`).

        >>> import pandas as pd
        >>> net = Network.from_frames(
        ...     countries=pd.DataFrame({"country": ["FR"], "region": ["EU"]}),
        ...     suppliers=pd.DataFrame({"supplier": ["S1"], "country": ["FR"]}),
        ...     supplier_products=pd.DataFrame({"supplier": ["S1"], "capacity": [10]}),
        ...     hubs=pd.DataFrame({"hub": ["H1"], "country": ["FR"]}),
        ...     markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        ...     demand=pd.DataFrame({"market": ["Paris"], "demand": [4]}),
        ...     lanes=pd.DataFrame({"origin": ["S1", "H1"], "destination": ["H1", "Paris"],
        ...                         "unit_cost": [1.0, 2.0]}))
        >>> net.products["product"].tolist()
        ['default']
        """
        if isinstance(tables, str):  # the source by position, as before it was keyword-only
            raise ValidationError([f"(source) | {quote(tables)} was given by position: give the source by "
                                   "name, Network.from_frames(tables, source=...)"])
        if tables is not None and not isinstance(tables, Mapping):  # from_frames(df): a table by position
            raise ValidationError([f"(tables) | a {type(tables).__name__} was given: pass a mapping of table "
                                   "names to DataFrames, Network.from_frames(network.frames()), or the "
                                   "tables by name, Network.from_frames(suppliers=df, ...)"])
        if not isinstance(source, str):
            raise ValidationError([f"(source) | {brief(source)} ({type(source).__name__}): give text"])
        twice = sorted(set(tables or ()) & set(frames))
        if twice:
            raise ValidationError([f"(tables) | {', '.join(twice)} given both in the mapping and by name: "
                                   "give each table once"])
        frames = {**(tables or {}), **frames}
        limits = current(limits)
        unknown = sorted(set(frames) - set(TABLES))
        problems: list[str] = [
            f"({name}) | unknown table{suggest(name, TABLES)}; tables are: {', '.join(TABLES)}"
            for name in unknown
        ]
        warns: list[str] = []
        missing = [name for name in REQUIRED_TABLES if frames.get(name) is None]
        problems += [f"({name}) | required table is missing" for name in missing]
        typed: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            df = frames.get(name)
            if df is None:
                continue
            if not isinstance(df, pd.DataFrame):
                problems.append(f"({name}) | expected a pandas DataFrame, got {type(df).__name__}")
                continue
            typed[name] = coerce_table(name, df, problems, warns, limits)
            if df.attrs.get(HIDDEN):
                warns.append(f"({name}) | the sheet is hidden in {df.attrs[HIDDEN]}, and read all the same: "
                             "delete the sheet (or its rows) to leave the table out")
            warns += list(df.attrs.get(READ_WARNINGS, ()))
            if rows := sorted(set(df.attrs.get(HIDDEN_ROWS, ())).intersection(df.index)):  # rows kept
                warns.append(f"({name}) | {count(len(rows), 'row')} hidden in the sheet (by hand or by a "
                             f"filter) {'is' if len(rows) == 1 else 'are'} read all the same: rows "
                             f"{', '.join(map(str, rows[:20]))}{' …' * (len(rows) > 20)}; delete the rows "
                             "to leave them out")
        if problems:
            raise ValidationError(problems)
        warns += unlisted_demand_periods(typed)  # on the rows as given: a 0 says none on purpose
        # zero-demand rows are ignored, except one naming a period: it overrides the blank row
        # (no demand in that period, docs/formulation.md §9)
        demand = typed["demand"]
        typed["demand"] = demand.loc[(demand["demand"] > 0) | (demand["period"] != "")].reset_index(drop=True)
        if not (demand["demand"] > 0).any():
            warns.append("(demand) | no row has a demand above 0: there is nothing to deliver, and the plan "
                         "is empty (it pays only for the suppliers and hubs whose status is open)")
        if "products" not in typed:
            used = pd.unique(pd.concat([typed["supplier_products"]["product"],
                                        typed["demand"]["product"]], ignore_index=True))
            typed["products"] = pd.DataFrame(
                {"product": sorted(used), "unit_value": 0.0, "unit": "units", "_row": 0})
        for name in ("lanes", "tariffs"):  # 'All' or 'ALL' for every product, as 'Closed' is a status
            if name in typed and ALL_PRODUCTS not in set(typed["products"]["product"].str.lower()):
                product = typed[name]["product"]
                typed[name]["product"] = product.where(product.str.lower() != ALL_PRODUCTS, ALL_PRODUCTS)
        cross, more_warnings = validate_tables(typed)
        if cross:
            raise ValidationError(cross)
        warns += more_warnings + suspicious(typed)
        for df in typed.values():  # read by suspicious only: the network's tables keep no trace
            df.attrs.pop(BLANKS, None)
        for message in warns:
            _warnings.warn(message, DataWarning, stacklevel=user_stacklevel())
        # a table not given: empty, typed as a given one (ids text, numbers float)
        dtypes = {"number": float, "share": float, "row": "int64", "id": typed["markets"]["market"].dtype}
        for name in ("tariffs", "disruptions", "periods"):
            if name not in typed:
                kinds = {c.name: c.kind for c in TABLES[name].columns} | {"_row": "row"}
                typed[name] = pd.DataFrame({c: pd.Series(dtype=dtypes.get(k, dtypes["id"]))
                                            for c, k in kinds.items()})
        token = _VALIDATING.set(True)
        try:
            return cls(**typed, source=source, warnings=tuple(warns))
        finally:
            _VALIDATING.reset(token)

    def table(self, name: str) -> pd.DataFrame:
        """A copy of table ``name`` without the bookkeeping ``_row`` column; a name that is no
        table is a :class:`ValidationError` naming the nearest."""
        if name not in TABLES:
            raise ValidationError([f"({name}) | unknown table{suggest(name, TABLES)}; tables are: "
                                   f"{', '.join(TABLES)}"])
        return getattr(self, name).drop(columns="_row").copy()

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a fresh DataFrame, ready for :meth:`from_frames` or writing out."""
        return {name: self.table(name) for name in TABLES}

    def __repr__(self) -> str:
        periods = f", {count(len(self.periods), 'period')}" if len(self.periods) else ""
        return (f"Network({count(len(self.suppliers), 'supplier')}, {count(len(self.hubs), 'hub')}, "
                f"{count(len(self.markets), 'market')}, {count(len(self.products), 'product')}, "
                f"{count(len(self.countries), 'country', 'countries')}{periods})")


def _rows_digest(df: pd.DataFrame, name: str, ignoring: Collection[str]) -> bytes:
    """:func:`_digest` of table ``name``'s rows ordered by its key, without ``_row`` and the
    columns ``ignoring``."""
    kept = df.drop(columns=["_row", *ignoring], errors="ignore")
    key = [c for c in TABLES[name].key if c in kept.columns]
    if key and len(kept) > 1:
        kept = kept.sort_values(key, kind="stable")
    return _digest(kept.reset_index(drop=True))


def _digest(df: Any) -> bytes:
    """A digest of ``df``'s column names, types, index and cells (about 0.4 s per million rows)."""
    try:
        rows = pd.util.hash_pandas_object(df, index=True).to_numpy()
    except (TypeError, ValueError, AttributeError):  # not a frame, or a cell that cannot be hashed
        return b""
    head = repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode()
    return hashlib.blake2b(head + rows.tobytes(), digest_size=16).digest()


_BOM = b"\xef\xbb\xbf"  # Excel's "CSV UTF-8" byte order mark

#: the first bytes of files given in a CSV table's place by mistake, and what they are
_NOT_CSV = {ZIP_MAGIC: "an Excel workbook (.xlsx, a zip archive) under a .csv name",
            OLE2_MAGIC: "an Excel 97-2003 workbook (.xls) under a .csv name"}


def _not_text(raw: bytes, table: str, file: str) -> str | None:
    """The problem when ``raw`` is no UTF-8 text at all (a workbook, UTF-16, NUL bytes), checked
    before anything reads its lines: their lengths and separators mean nothing then."""
    for magic, what in _NOT_CSV.items():
        if raw.startswith(magic):
            return (f"({table}) | {file} is {what}; save the sheet as CSV UTF-8, or read the data "
                    "from one .xlsx workbook with a sheet per table")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"({table}) | {file} is UTF-16 text; save it as CSV UTF-8"
    if b"\x00" in raw:  # no text file holds one; read on, every name would be garbled
        return (f"({table}) | {file} holds NUL bytes (UTF-16 without a byte-order mark, or not text); "
                "save it as CSV UTF-8")
    return None


def _text_of(raw: bytes, table: str, file: str, problems: list[str]) -> str | None:
    """``raw`` (passed :func:`_not_text`) decoded as UTF-8, a BOM dropped; or None with a problem
    naming the first byte that is not UTF-8."""
    raw = raw[3:] if raw.startswith(_BOM) else raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the line of the first bad byte: line 1 is the header, as in a spreadsheet
        line = raw[:exc.start].count(b"\n") + 1
        problems.append(f"({table}, row {line}) | {file} is not UTF-8 text (byte "
                        f"0x{raw[exc.start]:02x} at offset {exc.start}); save it as CSV UTF-8")
        return None


def _read_csv(path: Path, problems: list[str], limits: Limits) -> pd.DataFrame | None:
    """Table ``path.stem`` from CSV file ``path``, all text (no NA strings: ``NA`` is Namibia),
    with its header row as column names; None (and problems) when it cannot be read."""
    table = path.stem
    try:
        raw = read_bytes(path, table, limits.file_bytes, "file_mb", limits)
    except ValidationError as exc:
        problems += exc.problems
        return None
    if (problem := _not_text(raw, table, path.name)) is not None:
        problems.append(problem)
        return None
    crlf = raw.count(b"\r\n")
    if raw.count(b"\r") - crlf > raw.count(b"\n") - crlf:  # old Mac line endings (CR alone, maybe a
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # last LF): one line to every check
    if raw.count(b"\n") > limits.rows + 1:
        problems.append(f"({table}) | {path.name} has more than {limits.describe('rows')}")
        return None
    header = raw[:raw.find(b"\n")] if b"\n" in raw else raw
    if b";" in header and b"," not in header:
        problems.append(f"({table}) | {path.name} is separated by semicolons, as Excel saves CSV where the "
                        "decimal mark is a comma; save it as 'CSV UTF-8 (comma delimited)' with a dot for "
                        "decimals, or give the data as an .xlsx workbook")
        return None
    if b"\t" in header and b"," not in header:
        problems.append(f"({table}) | {path.name} is separated by tabs (copied from a spreadsheet, or saved "
                        "as 'Text (Tab delimited)'); save it as 'CSV UTF-8 (comma delimited)', or give the "
                        "data as an .xlsx workbook")
        return None
    # a line longer than all its cells may be holds a cell over the limit: refused before
    # parsing, which would take several times its size in memory
    width, line = _longest_line(raw)
    cells = raw[:raw.find(b"\n")].count(b",") + 1 if b"\n" in raw else raw.count(b",") + 1
    if width > (limits.cell_chars + 3) * cells:
        problems.append(f"({table}, row {line}) | the row holds {width:,} characters, more than its "
                        f"{cells} cells may: over the limit of {limits.describe('cell_chars')}")
        return None
    text = _text_of(raw, table, path.name, problems)
    if text is not None and (below := _header_below_line_1(text, table)) is not None:
        problems.append(below)
        return None
    fields = None if text is None else _fields_per_record(raw, text)
    del raw
    if text is None:
        return None
    if cells > limits.columns and (n := _header_fields(text, cells)) > limits.columns:
        # refused before parsing: each column costs time in every later step
        problems.append(f"({table}) | {path.name} has {n:,} columns, over the limit of "
                        f"{limits.describe('columns')}")
        return None
    # a record longer than the header: read whole (pandas' "Expected 3 fields in line 2, saw 4"
    # named no row), then refused when its extra fields hold data (a trailing comma holds none);
    # many fields more are refused unread (every row would be read as wide)
    wide = fields is not None and len(fields) > 1 and int(fields[1:].max()) > int(fields[0])
    if wide and int(fields.max()) > int(fields[0]) + EXTRA_FIELDS:
        long = np.flatnonzero(fields[1:] > fields[0])
        each_row(problems, table, long, lambda i: f"({table}, row {i + 2}) | the row has {fields[i + 1]:,} "
                 f"fields, the header {fields[0]}", "the row has more fields than the header")
        return None
    try:
        df = pd.read_csv(StringIO(text), header=None, dtype=str, keep_default_na=False,
                         skipinitialspace=True, skip_blank_lines=False, index_col=False,
                         names=range(int(fields.max())) if wide else None)
    except pd.errors.EmptyDataError:
        problems.append(f"({table}) | {path.name} is empty (not even a header row)")
        return None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        # pandas counts rows of an unterminated quote from 0: say the line, as a spreadsheet would
        text = re.sub(r"starting at row (\d+)", lambda m: f"starting on line {int(m[1]) + 1}",
                      str(exc).strip())
        problems.append(f"({table}) | {path.name} is not valid CSV: {clip(text)}")
        return None
    header = ["" if pd.isna(h) else str(h) for h in df.iloc[0]]
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = pd.Index(header, dtype=object)
    # a record count that differs from the parser's (never seen) skips the check, not the table
    counted = fields is not None and len(fields) == len(df) + 1
    if counted and not _rows_complete(df, fields[1:], table, problems):
        return None
    if wide:
        if not _no_extra_fields(df, int(fields[0]), table, problems):
            return None
        df = df.iloc[:, :int(fields[0])]
    # no line longer than the limit: no cell is (the common case costs nothing more)
    # a quoted cell may span lines: then its length is not bounded by the longest line's
    fits = width <= limits.cell_chars and '"' not in text
    return df if fits or _cells_fit(df, table, problems, limits) else None


#: lines looked at below a first line that names no column, for a header a title pushed down
HEADER_SEARCH = 10


def _header_below_line_1(text: str, table: str) -> str | None:
    """A title, a blank line or Excel's ``sep=,`` on line 1 and the column names on a line below
    it: one problem saying so (each data row was said to have more fields than the header, or
    the header's columns to be missing), else None. The workbook's rule for sheets
    (:func:`~resilient_sc.xlsx_tables.read_workbook`) on the first lines of a CSV file."""
    if table not in TABLES:
        return None
    end = -1
    for _ in range(HEADER_SEARCH + 1):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    reader = csv.reader(StringIO(text if end < 0 else text[:end], newline=""))
    records = [(reader.line_num, row) for row in reader]  # (its last line, its cells): a quoted
    if not records or names_columns(records[0][1], table):  # title may span lines
        return None
    for line, row in records[1:]:
        if names_columns(row, table):
            first = " ".join(c.strip() for c in records[0][1] if c.strip())
            first = "sep=," if first.lower() == "sep=" else first  # Excel's hint of the separator
            named = [c.strip() for c in row if c.strip().lower() in TABLES[table].names]
            return (f"({table}) | line 1 {f'holds {quote(first, 40)}' if first else 'is empty'} and line "
                    f"{line} the column names ({', '.join(named)}): the header must be the first line; "
                    f"delete the line{'s' * (line > 2)} above it")
    return None


def _fields_per_record(raw: bytes, text: str, chunk: int = 1 << 22) -> np.ndarray | None:
    """The number of fields of each record of CSV ``raw`` (``text`` decoded), header first.
    Without quotes a record is a line, its fields its commas + 1: counted in chunks, linear;
    else by the csv module (None when it cannot read a cell: the parser will say why)."""
    if b'"' not in raw and raw.count(b"\r") == raw.count(b"\r\n"):
        data = np.frombuffer(raw, dtype=np.uint8)
        ends: list[np.ndarray] = []
        commas = 0
        for lo in range(0, len(data), chunk):
            part = data[lo:lo + chunk]
            at = np.flatnonzero(part == 44)
            ends.append(np.searchsorted(at, np.flatnonzero(part == 10)) + commas)
            commas += len(at)
        fields = np.diff(np.concatenate([*ends, [commas]]), prepend=0) + 1
        return fields[:-1] if raw.endswith(b"\n") else fields
    try:
        return np.fromiter((len(r) for r in csv.reader(StringIO(text), skipinitialspace=True)),
                           dtype=np.int64)
    except csv.Error:
        return None


def _rows_complete(df: pd.DataFrame, fields: np.ndarray, table: str, problems: list[str]) -> bool:
    """True when no row of ``df`` holding data has fewer ``fields`` than the header names
    columns; else problems naming them. A missing field is not a blank cell (whose comma a
    spreadsheet writes): the row is cut short, and its cells may have shifted."""
    names = [str(h).strip().lower() for h in df.columns]
    named = max((j + 1 for j, h in enumerate(names) if h), default=0)
    short = np.flatnonzero(fields < named)
    if len(short):
        cells = df.iloc[short]
        blank = np.logical_and.reduce([cells.iloc[:, j].str.strip().eq("").to_numpy()
                                       for j in range(cells.shape[1])])
        short = short[~blank]
    if not len(short):
        return True
    keyed = _keyed(df, short, table)
    each_row(problems, table, range(len(short)),
             lambda i: f"{where(table, keyed, i)} | the row has {fields[short[i]]} fields, the header "
                       f"{named}",
             "the row has fewer fields than the header")
    return False


#: fields beyond the header's that a CSV row may have and still be read (to name its row and
#: key): more are refused by their row number alone, unread
EXTRA_FIELDS = 16


def _no_extra_fields(df: pd.DataFrame, header: int, table: str, problems: list[str]) -> bool:
    """True when no row of ``df`` holds data beyond the ``header``'s fields; else problems
    naming them (a cell too many shifts nothing the header names, but is data read nowhere)."""
    extra = df.iloc[:, header:].fillna("")
    counts = extra.apply(lambda c: c.str.strip().ne("")).to_numpy()
    long = np.flatnonzero(counts.any(axis=1))
    if not len(long):
        return True
    keyed = _keyed(df, long, table)
    each_row(problems, table, range(len(long)),  # the fields counted for the rows shown only
             lambda i: f"{where(table, keyed, i)} | the row has "
                       f"{header + int(np.flatnonzero(counts[long[i]])[-1]) + 1} fields, the header "
                       f"{header}: a cell beyond the header's columns (a comma too many?)",
             "the row has more fields than the header")
    return False


def _keyed(df: pd.DataFrame, rows: np.ndarray, table: str) -> pd.DataFrame:
    """The key columns of ``rows`` of ``df`` (as read, before typing) and their ``_row`` in the
    file, for :func:`~.wording.where`."""
    names = [str(h).strip().lower() for h in df.columns]
    keyed = pd.DataFrame({k: df.iloc[rows, names.index(k)].fillna("").str.strip().to_numpy()
                          for k in TABLES[table].key if k in names})
    keyed["_row"] = rows + 2
    return keyed


def _header_fields(text: str, commas: int) -> int:
    """The fields of the first record of CSV ``text`` (a quoted cell may hold commas); ``commas``
    (its commas + 1) when the csv module cannot read it."""
    try:
        return len(next(csv.reader(StringIO(text[:text.find("\n") + 1 or None]), skipinitialspace=True)))
    except (csv.Error, StopIteration):
        return commas


def _longest_line(raw: bytes, chunk: int = 1 << 24) -> tuple[int, int]:
    """The length in bytes of the longest line of ``raw`` and its line number (1-based);
    linear, in chunks (no copy of ``raw``)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    best, best_line, start, lines = 0, 1, 0, 0
    for lo in range(0, len(data), chunk):
        ends = np.flatnonzero(data[lo:lo + chunk] == 10) + lo
        if len(ends):
            gaps = np.diff(ends, prepend=start - 1) - 1
            i = int(np.argmax(gaps))
            if gaps[i] > best:
                best, best_line = int(gaps[i]), lines + i + 1
            start, lines = int(ends[-1]) + 1, lines + len(ends)
    if len(data) - start > best:
        best, best_line = len(data) - start, lines + 1
    return best, best_line


def _cells_fit(df: pd.DataFrame, table: str, problems: list[str], limits: Limits) -> bool:
    """True when no cell (nor header) of ``df`` is longer than the limit; else problems naming them."""
    found: list[str] = []
    for i, col in enumerate(df.columns):
        if len(str(col)) > limits.cell_chars:
            found.append(f"({table}, row 1) | the name of column {i + 1} is over the limit of "
                         f"{limits.describe('cell_chars')}")
        lengths = df.iloc[:, i].str.len().to_numpy(dtype=float, na_value=0.0)
        for pos in np.flatnonzero(lengths > limits.cell_chars)[:SHOWN]:
            found.append(f"({table}, row {pos + 2}) | the cell in column {quote(col)} holds "
                         f"{int(lengths[pos]):,} characters, over the limit of "
                         f"{limits.describe('cell_chars')}")
    problems += found[:SHOWN]
    return not found


#: suffixes of files that hold a table in another name or format than <table>.csv (tariffs.old,
#: a way to switch tariffs off, is none of them)
TABLE_LIKE = frozenset({"csv", "txt", "tsv", "xls", "xlsx", "xlsm", "ods"})


def _read_folder(path: Path, limits: Limits, problems: list[str]) -> dict[str, pd.DataFrame]:
    """The ``<table>.csv`` files of folder ``path``; problems are added to ``problems``."""
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        file = path / f"{name}.csv"
        if file.is_symlink() or file.exists():  # a broken link is an error, not "no such table"
            df = _read_csv(file, problems, limits)
            if df is not None:
                frames[name] = df
    others: list[tuple[str, str]] = []  # (file, the table its name holds)
    with os.scandir(path) as entries:
        for entry in itertools.islice(entries, 10_000):
            stem, dot, ext = entry.name.rpartition(".")
            table, kind = stem.lower(), ext.lower()
            misnamed = dot and table in TABLES and kind in TABLE_LIKE and entry.name != f"{table}.csv"
            if misnamed and not (path / f"{table}.csv").exists():
                # products.CSV, Tariffs.csv, tariffs.xlsx: not read, and the plan would go without it
                fix = ("rename it" if kind in ("csv", "txt", "tsv")
                       else f"save it as '{table}.csv' (CSV UTF-8)")
                problems.append(f"({table}) | {quote(entry.name)} is not read: a table is read from "
                                f"'{table}.csv' (a CSV file, its name in lower case); {fix}")
            elif misnamed and not _same_file(path / entry.name, path / f"{table}.csv"):
                others.append((entry.name, table))  # Demand.csv or demand.txt beside demand.csv: maybe
                # the one edited (on a file system blind to case, Demand.csv is demand.csv: read)
            elif (dot and kind == "csv" and stem not in TABLES and (close := closest(stem, TABLES))
                  and not (path / f"{close}.csv").exists()):  # lanes_v2.csv beside lanes.csv: a copy
                problems.append(f"({close}) | {quote(entry.name)} is not a table name (did you mean "
                                f"'{close}.csv'?); tables are: {', '.join(TABLES)}")
            elif dot and kind == "csv" and table not in TABLES and (named := mentioned_table(stem)):
                others.append((entry.name, named))  # tariffs_2025.csv, tariffs - Copy.csv, tariff_notes.csv
    found, said = not_read(sorted(others), "file", lambda t: f"'{t}.csv'",
                           lambda name, t: _holds(path / name, t), lambda t: (path / f"{t}.csv").exists())
    problems += found
    keep_warnings(frames, said)
    return frames


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (a broken link is no file: False)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _holds(file: Path, table: str) -> bool:
    """Whether CSV ``file``'s header line names ``table``'s columns (:func:`names_columns`)."""
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            return names_columns(fh.readline(65_536).split(","), table)
    except OSError:
        return False


#: a file or sheet every plan or roadmap written by the library has (resilient_sc.results.Plan.tables)
RESULT_MARK = "suppliers_contracted"


def _read_tables(path: Path, limits: Limits, problems: list[str]) -> dict[str, pd.DataFrame]:
    """The raw tables (all text) of a CSV folder or an ``.xlsx`` workbook, unvalidated, each
    file read within ``limits``; a sheet's table holds its rows with data, indexed by their sheet
    row (``_row``). The problems of files and sheets are added to ``problems``."""
    if path.is_dir() or path.suffix.lower() in (".xlsx", ".xlsm"):
        frames = (_read_folder(path, limits, problems) if path.is_dir()
                  else read_workbook(path, limits, problems))
        if not frames.keys() & set(REQUIRED_TABLES) and _is_result(path):  # one line, not one per table
            raise ValidationError([f"({path.name}) | this is a plan (or roadmap) written by resilient_sc, "
                                   "not a network's data: give the folder or workbook of the network it "
                                   "was solved from"])
        if not frames and path.is_dir() and (inside := _data_inside(path)):
            raise ValidationError([f"({path.name}) | no table is in this folder itself, but {inside}: give "
                                   "that path"])
        return frames
    if path.is_symlink() and not path.exists():
        raise ValidationError([f"({path}) | a broken symbolic link"])
    if not path.exists():
        raise ValidationError([f"({path}) | no such file or folder"])
    old = {".xls": "an Excel 97-2003 workbook", ".ods": "an OpenDocument spreadsheet"}.get(
        path.suffix.lower())
    raise ValidationError([f"({path}) | " + (f"{old}: save it as .xlsx (Excel or LibreOffice: Save As, Excel "
                                             "Workbook) and give that" if old else
                                             "expected a folder of CSV files or an .xlsx workbook")])


def _data_inside(folder: Path) -> str:
    """Where in ``folder`` (one level down) the tables are, in words: its subfolders holding
    ``suppliers.csv`` and its workbooks (a folder unzipped into a folder of its name, or the
    workbook saved beside its sheets' CSVs); empty when none."""
    found = []
    with os.scandir(folder) as entries:
        for entry in sorted(itertools.islice(entries, 1_000), key=lambda e: e.name):
            if entry.is_dir() and (Path(entry.path) / "suppliers.csv").is_file():
                found.append(f"its subfolder {quote(entry.name)} holds the CSV tables")
            elif entry.is_file() and entry.name.lower().endswith((".xlsx", ".xlsm")) \
                    and not entry.name.startswith("~$"):
                found.append(f"it holds the workbook {quote(entry.name)}")
    return "; ".join(found[:3])


def _is_result(path: Path) -> bool:
    """Whether ``path`` holds a plan or roadmap (folder or workbook), by its tables: one given as
    data is refused whoever saved it last (replacing one asks who wrote it:
    :func:`~resilient_sc.io.is_result_workbook`)."""
    if path.is_dir():
        return (path / f"{RESULT_MARK}.csv").exists()
    import openpyxl

    try:
        with warnings_ignored():
            book = openpyxl.load_workbook(path, read_only=True)
            names = book.sheetnames
            book.close()
    except Exception:  # unreadable: the reader's own problems say why
        return False
    return RESULT_MARK in names


def read_network(path: str | Path, limits: Limits | None = None) -> Network:
    """Read and validate a network from a folder of CSV files or one ``.xlsx`` workbook.

    Files (or sheets) are named like the tables of the data contract (docs/data.md): ``suppliers.csv``, ...
    Inputs over ``limits`` (default: :func:`resilient_sc.limits.current`) are refused.
    """
    check_path("path", path, "a CSV folder or an .xlsx workbook (tables in memory: Network.from_frames)")
    limits = current(limits)
    problems: list[str] = []
    frames = _read_tables(Path(path), limits, problems)
    if problems:  # with the problems of the tables that were read: every one at once
        raise ValidationError(problems + _problems_of(frames, problems, limits))
    net = Network.from_frames(source=str(path), limits=limits, **frames)
    return net._derived(location=str(Path(path).resolve()))


def _problems_of(frames: dict[str, pd.DataFrame], known: list[str], limits: Limits) -> list[str]:
    """What validating ``frames`` finds about the tables no problem in ``known`` names (a table
    whose file is misnamed is not said to be missing as well)."""
    named = {p[1:].split(")", 1)[0].split(",", 1)[0] for p in known if p.startswith("(")}
    with warnings_ignored():  # the data is refused: its warnings would only add noise
        try:
            Network.from_frames(limits=limits, **frames)
        except ValidationError as exc:
            return [p for p in exc.problems if p[1:].split(")", 1)[0].split(",", 1)[0] not in named]
    return []
