"""The validated network: a frozen container of typed DataFrames, read from CSV or Excel."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
from collections.abc import Collection, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .csv_tables import read_folder
from .exceptions import (
    DataWarning,
    ValidationError,
    check_path,
    own_warnings_silenced,
    warn,
    warnings_ignored,
)
from .format import count
from .limits import Limits, current
from .period_rows import unlisted_demand_periods
from .schema import ALL_PRODUCTS, BLANKS, REQUIRED_TABLES, TABLES
from .suspicious import suspicious
from .validation import coerce_table, duplicate_keys, validate_tables
from .wording import brief, quote, suggest
from .xlsx_tables import (
    HIDDEN,
    HIDDEN_ROWS,
    READ_WARNINGS,
    STRUCK_ROWS,
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
        period's rows, lead times, the location read from), kept as validated: a table it keeps
        keeps its digest (hashed again, the 9 tables of 11 a stress test's copy shares cost 7-19%
        of a small network's analyses: time audit; and an edit made since is still found)."""
        token = _VALIDATING.set(False)
        try:
            new = dataclasses.replace(self, **changes)
        finally:
            _VALIDATING.reset(token)
        kept = self.__dict__.get("_digests")
        if kept is not None:
            digests = {name: _kept_digest(self, new, name, kept) for name in TABLES}
            object.__setattr__(new, "_digests", digests)
        return new

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
        problems: list[str] = [_unknown_table(name) for name in unknown]
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
            for attr, how in ((HIDDEN_ROWS, "hidden in the sheet (by hand or by a filter)"),
                              (STRUCK_ROWS, "struck through in the sheet (every cell holding data)")):
                if rows := sorted(set(df.attrs.get(attr, ())).intersection(df.index)):  # rows kept
                    are = "is" if len(rows) == 1 else "are"
                    warns.append(f"({name}) | {count(len(rows), 'row')} {how} {are} read all the same: "
                                 f"rows {', '.join(map(str, rows[:20]))}{' …' * (len(rows) > 20)}; "
                                 "delete the rows to leave them out")
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
                # 'All' beside 'all' on one lane: two rows of one key (the cheaper was used)
                if (typed[name]["product"] != product).any():
                    problems += duplicate_keys(name, typed[name], "; 'All', 'ALL' mean 'all', every product")
        if problems:
            raise ValidationError(problems)
        cross, more_warnings = validate_tables(typed)
        if cross:
            raise ValidationError(cross)
        warns += more_warnings + suspicious(typed)
        for df in typed.values():  # read by suspicious only: the network's tables keep no trace
            df.attrs.pop(BLANKS, None)
        for message in warns:
            warn(message, DataWarning)
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
            raise ValidationError([_unknown_table(name)])
        return getattr(self, name).drop(columns="_row").copy()

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a fresh DataFrame, ready for :meth:`from_frames` or writing out."""
        return {name: self.table(name) for name in TABLES}

    def __repr__(self) -> str:
        periods = f", {count(len(self.periods), 'period')}" if len(self.periods) else ""
        return (f"Network({count(len(self.suppliers), 'supplier')}, {count(len(self.hubs), 'hub')}, "
                f"{count(len(self.markets), 'market')}, {count(len(self.products), 'product')}, "
                f"{count(len(self.countries), 'country', 'countries')}{periods})")


def _unknown_table(name: str) -> str:
    """The problem of a table name that is none, with the name likely meant."""
    return f"({name}) | unknown table{suggest(name, TABLES)}; tables are: {', '.join(TABLES)}"


def _rows_digest(df: pd.DataFrame, name: str, ignoring: Collection[str]) -> bytes:
    """:func:`_digest` of table ``name``'s rows ordered by its key, without ``_row`` and the
    columns ``ignoring``."""
    kept = df.drop(columns=["_row", *ignoring], errors="ignore")
    key = [c for c in TABLES[name].key if c in kept.columns]
    if key and len(kept) > 1:
        kept = kept.sort_values(key, kind="stable")
    return _digest(kept.reset_index(drop=True))


def _kept_digest(old: Network, new: Network, name: str, kept: dict[str, bytes]) -> bytes:
    """The digest of ``new``'s table ``name``, derived from ``old``: ``old``'s where it is the same
    table, a new one where it was derived from a table unchanged since validated, and none that
    any table matches where that table was edited in place (its period's copy was solved from the
    edit, unchecked: review)."""
    table = getattr(new, name)
    if name in kept and table is getattr(old, name):
        return kept[name]
    if name in kept and _digest(getattr(old, name)) != kept[name]:
        return b"edited before it was derived"
    return _digest(table)


def _digest(df: Any) -> bytes:
    """A digest of ``df``'s column names, types, index and cells (about 0.4 s per million rows)."""
    try:
        rows = pd.util.hash_pandas_object(df, index=True).to_numpy()
    except (TypeError, ValueError, AttributeError):  # not a frame, or a cell that cannot be hashed
        return b""
    head = repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode()
    return hashlib.blake2b(head + rows.tobytes(), digest_size=16).digest()


#: a file or sheet every plan or roadmap written by the library has (resilient_sc.results.Plan.tables)
RESULT_MARK = "suppliers_contracted"


def _read_tables(path: Path, limits: Limits, problems: list[str]) -> dict[str, pd.DataFrame]:
    """The raw tables (all text) of a CSV folder or an ``.xlsx`` workbook, unvalidated, each
    file read within ``limits``; a sheet's table holds its rows with data, indexed by their sheet
    row (``_row``). The problems of files and sheets are added to ``problems``."""
    try:
        os.stat(path)
    except FileNotFoundError:  # said below, as a broken link is
        pass
    except OSError as exc:  # a name too long, a loop of links: pathlib raised it bare
        raise ValidationError([f"({brief(str(path))}) | cannot be read: {exc.strerror or exc}"]) from exc
    if path.is_dir() or path.suffix.lower() in (".xlsx", ".xlsm"):
        frames = (read_folder(path, limits, problems) if path.is_dir()
                  else read_workbook(path, limits, problems))
        if not frames.keys() & set(REQUIRED_TABLES) and _is_result(path):  # one line, not one per table
            raise ValidationError([f"({path.name}) | this is a result written by resilient_sc (a plan, "
                                   "roadmap or report), not a network's data: give the folder or workbook "
                                   "of the network it was solved from"])
        if not frames and path.is_dir() and (inside := _data_inside(path)):
            raise ValidationError([f"({path.name}) | no table is in this folder itself, but {inside}: give "
                                   "that path"])
        return frames
    if path.is_symlink() and not path.exists():
        raise ValidationError([f"({path}) | a broken symbolic link"])
    if not path.exists():
        raise ValidationError([f"({path}) | no such file or folder"])
    old = {".xls": "an Excel 97-2003 workbook", ".ods": "an OpenDocument spreadsheet",
           ".xlsb": "an Excel binary workbook", ".xltx": "an Excel template", ".xltm": "an Excel template",
           ".numbers": "a Numbers spreadsheet"}.get(path.suffix.lower())
    if old:
        raise ValidationError([f"({path}) | {old}: save it as .xlsx (Excel or LibreOffice: Save As, Excel "
                               "Workbook) and give that"])
    if path.suffix.lower() == ".csv":  # one table of a network's folder
        raise ValidationError([f"({path}) | one table: give the folder that holds it and the other tables' "
                               f"CSV files ({path.parent})"])
    raise ValidationError([f"({path}) | expected a folder of CSV files or an .xlsx workbook"])


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
    """Whether ``path`` holds a plan, roadmap or report (folder or workbook), by its tables or a
    report's ``report.md`` (a stress report was told to rename its stress_products.csv to
    products.csv: output audit): one given as data is refused whoever saved it last (replacing
    one asks who wrote it: :func:`~resilient_sc.io.is_result_workbook`)."""
    if path.is_dir():
        try:
            return (path / f"{RESULT_MARK}.csv").exists() or (path / "report.md").is_file()
        except OSError:  # a folder that cannot be entered: the reader's problem says so
            return False
    import openpyxl

    try:
        with warnings_ignored("openpyxl"):
            book = openpyxl.load_workbook(path, read_only=True)
            names = book.sheetnames
            book.close()
    except Exception:  # unreadable: the reader's own problems say why
        return False
    analyses = {"premium", "stress_failures", "frontier"}  # the sheets write_workbook adds
    return RESULT_MARK in names or ("README" in names and bool(analyses & set(names)))


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
    with own_warnings_silenced():  # the data is refused: its warnings would only add noise
        try:
            Network.from_frames(limits=limits, **frames)
        except ValidationError as exc:
            return [p for p in exc.problems if p[1:].split(")", 1)[0].split(",", 1)[0] not in named]
    return []
