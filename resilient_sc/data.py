"""The validated network: a frozen container of typed DataFrames, read from CSV or Excel."""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pandas as pd

from .exceptions import DataWarning, ValidationError
from .schema import REQUIRED_TABLES, TABLES
from .validation import coerce_table, validate_tables


@dataclass(frozen=True, eq=False)
class Network:
    """A supply network of validated tables (the data contract, docs/data.md), never modified after creation.

    Build one with :func:`read_network` or :meth:`Network.from_frames`. Each table is a
    DataFrame with every schema column (defaults filled in) plus ``_row``, the spreadsheet
    row it came from. ``products`` is always present (derived when not given).
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
    source: str = ""
    warnings: tuple[str, ...] = field(default=())

    @classmethod
    def from_frames(cls, source: str = "", **frames: pd.DataFrame) -> Network:
        """Validate DataFrames named like the tables of the data contract (docs/data.md) into a Network.

        Raises :class:`ValidationError` listing every problem; warns (:class:`DataWarning`)
        about suspicious data. The frames passed in are not modified.

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
        unknown = sorted(set(frames) - set(TABLES))
        problems: list[str] = [
            f"({name}) | unknown table; tables are: {', '.join(TABLES)}" for name in unknown
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
            typed[name] = coerce_table(name, df, problems, warns)
        if problems:
            raise ValidationError(problems)
        typed["demand"] = typed["demand"].loc[typed["demand"]["demand"] > 0].reset_index(drop=True)
        if "products" not in typed:
            used = pd.unique(pd.concat([typed["supplier_products"]["product"],
                                        typed["demand"]["product"]], ignore_index=True))
            typed["products"] = pd.DataFrame(
                {"product": sorted(used), "unit_value": 0.0, "_row": 0})
        cross, more_warnings = validate_tables(typed)
        if cross:
            raise ValidationError(cross)
        warns += more_warnings
        for message in warns:
            _warnings.warn(message, DataWarning, stacklevel=2)
        for name in ("tariffs", "disruptions"):
            if name not in typed:
                cols = [*TABLES[name].names, "_row"]
                typed[name] = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return cls(**typed, source=source, warnings=tuple(warns))

    def table(self, name: str) -> pd.DataFrame:
        """A copy of table ``name`` without the bookkeeping ``_row`` column."""
        return getattr(self, name).drop(columns="_row").copy()

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a fresh DataFrame, ready for :meth:`from_frames` or writing out."""
        return {name: self.table(name) for name in TABLES}

    def __repr__(self) -> str:
        return (f"Network({len(self.suppliers)} suppliers, {len(self.hubs)} hubs, "
                f"{len(self.markets)} markets, {len(self.products)} products, "
                f"{len(self.countries)} countries)")


def _read_csv(path: Path, problems: list[str]) -> pd.DataFrame | None:
    raw = path.read_bytes()
    raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # Excel's "CSV UTF-8" BOM
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the line of the first bad byte: line 1 is the header, as in a spreadsheet
        line = raw[:exc.start].count(b"\n") + 1
        problems.append(f"({path.stem}, row {line}) | {path.name} is not UTF-8 text (byte "
                        f"0x{raw[exc.start]:02x} at offset {exc.start}); save it as CSV UTF-8")
        return None
    try:
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False,
                           skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.append(f"({path.stem}) | {path.name} is empty (not even a header row)")
    except pd.errors.ParserError as exc:
        problems.append(f"({path.stem}) | {path.name} is not valid CSV: {exc}")
    return None


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """The raw tables (all text) of a CSV folder or an ``.xlsx`` workbook, unvalidated."""
    path = Path(path)
    problems: list[str] = []
    frames: dict[str, pd.DataFrame] = {}
    if path.is_dir():
        for name in TABLES:
            file = path / f"{name}.csv"
            if file.exists():
                df = _read_csv(file, problems)
                if df is not None:
                    frames[name] = df
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise ValidationError([f"({path.name}) | cannot read the workbook: {exc}"]) from exc
        frames = {str(k).strip().lower(): v for k, v in sheets.items()
                  if str(k).strip().lower() in TABLES}
    elif not path.exists():
        raise ValidationError([f"({path}) | no such file or folder"])
    else:
        raise ValidationError([f"({path}) | expected a folder of CSV files or an .xlsx workbook"])
    if problems:
        raise ValidationError(problems)
    return frames


def read_network(path: str | Path) -> Network:
    """Read and validate a network from a folder of CSV files or one ``.xlsx`` workbook.

    Files (or sheets) are named like the tables of the data contract (docs/data.md): ``suppliers.csv``, ...
    """
    return Network.from_frames(source=str(path), **read_tables(path))
