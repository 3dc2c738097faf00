"""The table files of a CSV folder, each read within the limits: files that are no UTF-8 text
(workbooks, UTF-16, NUL bytes) refused, semicolon- and tab-separated files said, titles above the
header, rows wider than the header and cells over the limit refused before parsing, and files
named like a table but not read (``Demand.csv``, ``tariffs - Copy.csv``) said."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import stat
from io import BytesIO, StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import ValidationError
from .limits import Limits, read_bytes
from .schema import TABLES, mentioned_table, misspelt_table, names_columns
from .wording import SHOWN, clip, each_row, not_read, quote, where
from .xlsx_tables import OLE2_MAGIC, ZIP_MAGIC, keep_warnings

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
        # the record of the first bad byte, the header row 1 as in a spreadsheet (not its line: a
        # quoted cell holding a line break is one row: audit)
        try:
            line = sum(1 for _ in csv.reader(io.StringIO(raw[:exc.start].decode("utf-8") + "?", newline="")))
        except csv.Error:  # a field past the size csv takes: its line
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
    width, line, start = _longest_line(raw)
    cells = raw[:raw.find(b"\n")].count(b",") + 1 if b"\n" in raw else raw.count(b",") + 1
    if width > (limits.cell_chars + 3) * cells:
        # a row of 16,384 short fields was said over the characters a cell may hold
        many = raw.count(b",", start, start + width) + 1
        problems.append(f"({table}, row {line}) | the row has {many:,} fields, the header {cells}"
                        if many > cells + EXTRA_FIELDS and b'"' not in raw[start:start + width] else
                        f"({table}, row {line}) | the row holds {width:,} characters, more than its "
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
    quoted = '"' in text
    data = text.encode("utf-8")  # pandas' C parser reads bytes: a StringIO held 4 bytes a character
    del text
    try:
        df = pd.read_csv(BytesIO(data), encoding="utf-8", header=None, dtype=str, keep_default_na=False,
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
    fits = width <= limits.cell_chars and not quoted
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
                       f"{named} (a blank cell is still its comma: S1,FR,,)",
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


def _longest_line(raw: bytes, chunk: int = 1 << 24) -> tuple[int, int, int]:
    """The length in bytes of the longest line of ``raw``, its line number (1-based) and its
    offset; linear, in chunks (no copy of ``raw``)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    best, best_line, best_start, start, lines = 0, 1, 0, 0, 0
    for lo in range(0, len(data), chunk):
        ends = np.flatnonzero(data[lo:lo + chunk] == 10) + lo
        if len(ends):
            gaps = np.diff(ends, prepend=start - 1) - 1
            i = int(np.argmax(gaps))
            if gaps[i] > best:
                best, best_line, best_start = int(gaps[i]), lines + i + 1, int(ends[i]) - int(gaps[i])
            start, lines = int(ends[-1]) + 1, lines + len(ends)
    if len(data) - start > best:
        best, best_line, best_start = len(data) - start, lines + 1, start
    return best, best_line, best_start


def _cells_fit(df: pd.DataFrame, table: str, problems: list[str], limits: Limits) -> bool:
    """True when no cell (nor header) of ``df`` is longer than the limit; else problems naming them."""
    found: list[str] = []
    for i, col in enumerate(df.columns):
        if len(str(col)) > limits.cell_chars:
            found.append(f"({table}, row 1) | the name of column {i + 1} is over the limit of "
                         f"{limits.describe('cell_chars')}")
        lengths = df.iloc[:, i].str.len().to_numpy(dtype=float, na_value=0.0)
        for pos in np.flatnonzero(lengths > limits.cell_chars)[:SHOWN]:
            found.append(f"({table}, row {pos + 2}) | the cell in column {quote(col)} "
                         f"{limits.long_cell(int(lengths[pos]))}")
    problems += found[:SHOWN]
    return not found


#: suffixes of files that hold a table in another name or format than <table>.csv (tariffs.old,
#: a way to switch tariffs off, is none of them)
TABLE_LIKE = frozenset({"csv", "txt", "tsv", "xls", "xlsx", "xlsm", "ods"})


def read_folder(path: Path, limits: Limits, problems: list[str]) -> dict[str, pd.DataFrame]:
    """The ``<table>.csv`` files of folder ``path``; problems are added to ``problems`` (a folder
    that cannot be listed or entered is one: it raised PermissionError naming a table: audit)."""
    frames: dict[str, pd.DataFrame] = {}
    try:
        with os.scandir(path) as entries:
            next(entries, None)
        (path / "countries.csv").is_symlink()  # the folder entered (a folder of mode 0o600 lists its names)
    except OSError as exc:  # one problem, not one per table missing
        raise ValidationError([f"({path}) | cannot read the folder: {exc.strerror or exc}"]) from exc
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
            elif (dot and kind == "csv" and stem not in TABLES
                  and (close := misspelt_table(stem, lambda t: (path / f"{t}.csv").exists(),
                                               lambda t, e=entry.name: _holds(path / e, t)))):
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
    """Whether CSV ``file``'s header line names ``table``'s columns (:func:`names_columns`); a file
    that is not a regular one never does (a named pipe waited for a writer for ever: audit)."""
    try:
        if not stat.S_ISREG(file.stat().st_mode):
            return False
        with open(file, encoding="utf-8", errors="replace") as fh:
            return names_columns(fh.readline(65_536).split(","), table)
    except OSError:
        return False
