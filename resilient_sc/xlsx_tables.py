"""The table sheets of an .xlsx workbook, read cell by cell within the limits (zip bombs,
formulas without saved values, error cells, dot-for-thousands text, charts, hidden and damaged
sheets refused or said)."""

from __future__ import annotations

import datetime
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ValidationError, warnings_ignored
from .format import cell_text
from .limits import ZIP_ERRORS, Limits, read_bytes
from .schema import TABLES, mentioned_table, misspelt_table, names_columns
from .wording import SHOWN, clip, not_read, quote


def _sheet_parser() -> type:
    """openpyxl's streaming worksheet parser, told to keep values only and to flag formulas."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            cell["formula"] = None if formula is None else f"={formula.text or ''}"
            # openpyxl and other writers store a formula with an empty <v/>: no value saved
            # (only a text result, t="str", may be the empty string)
            value = element.find(VALUE_TAG)
            cell["cached"] = value is not None and (bool(value.text) or element.get("t") == "str")
            return cell

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            """The row, its number kept in ``hidden_rows`` if hidden by hand, by a filter or at
            zero height; no attributes kept (a million formatted blank rows held 700 MB)."""
            r, cells = super().parse_row(row)
            given = self.row_dimensions.pop(str(r), None)
            if given is not None and (given.get("hidden") in ("1", "true") or _zero(given.get("ht"))):
                self.hidden_rows.append(r)
            return r, cells

    return Parser


#: Excel's escape of a character in text (ECMA-376 ST_Xstring; ``_x005F_`` escapes the ``_`` of one)
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _cell_text(value: Any) -> str:
    """A cell's value as the text of a CSV field: a whole number cell without ``.0`` (Excel
    stores 101 as 101.0: an id 101 reads as '101'); text with Excel's escapes of control
    characters read back (``_x000D_`` is a carriage return, openpyxl leaves it: a bloc
    ``atlantic`` pasted with its line end read as the new bloc ``atlantic_x000D_``)."""
    if isinstance(value, str):
        return _EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value) if "_x" in value else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return cell_text(value)  # a date at midnight as its ISO date


#: the first bytes of a zip archive (an .xlsx is one) and of an OLE2 file (an old .xls, or an
#: encrypted .xlsx)
ZIP_MAGIC, OLE2_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
#: the attribute of a table read from a sheet hidden in its workbook (the workbook's name)
HIDDEN = "hidden_in"
#: the attribute of a table with rows hidden in its sheet, by hand or by a filter (their numbers)
HIDDEN_ROWS = "hidden_rows"
#: the attribute of a table with rows struck through in its sheet, every cell holding data (their numbers)
STRUCK_ROWS = "struck_rows"
#: the attribute of a table read holding warnings of the reading, each naming its table (columns
#: hidden in a sheet, sheets or files not read): said by Network.from_frames
READ_WARNINGS = "read_warnings"
#: the kinds of column whose numbers may run into thousands (not shares, latitudes, longitudes)
COUNT_KINDS = frozenset({"number", "capacity"})
_DOT_THOUSANDS = re.compile(r"\s*[+-]?[1-9]\d{0,2}(\.\d{3})+\s*")


#: a formula of a totals row, whatever its label's language: Excel's Total Row writes SUBTOTAL
#: (its functions: sum, count, average, ...); AGGREGATE does the same ignoring errors
_TOTALS = re.compile(r"=\s*(_xlfn\.)?(SUBTOTAL|AGGREGATE)\s*\(", re.IGNORECASE)
_RANGE = re.compile(r"(?<![!\w$])\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)", re.IGNORECASE)


def _totals(formula: str, col: int, row: int) -> bool:
    """Whether ``formula`` in column ``col`` of ``row`` totals the column above it: SUBTOTAL or
    AGGREGATE of a table's column (``Periods[weight]``, as Excel's Total Row writes it) or of a range
    of this column above this row on this sheet; of another sheet or column it is a value (a sum of
    a forecast's visible rows: review)."""
    from openpyxl.utils import column_index_from_string

    if not _TOTALS.match(formula):
        return False
    if "[" in formula:
        return True
    return any(column_index_from_string(a.upper()) == col == column_index_from_string(b.upper())
               and int(end) < row for a, _, b, end in _RANGE.findall(formula))


def _dot_thousands(text: str) -> bool:
    """Whether ``text`` reads as a number with a dot for thousands (``9.000``, ``1.200.000``; not
    ``0.050``): a text cell of a workbook saved in a locale with a decimal comma, read as 9."""
    return _DOT_THOUSANDS.fullmatch(text) is not None


def _read_sheet(ws: Any, table: str, problems: list[str], limits: Limits,
                calculated: bool = True) -> pd.DataFrame | None:
    """Sheet ``ws`` (read-only, cached values) as a DataFrame of text of the rows holding data,
    indexed by ``_row``, their sheet row (memory follows the cells holding data). A formula
    without a saved value, an error value (#DIV/0!, #N/A, ...) or merged cells are problems
    naming row and column, never blanks; so are rows, columns and cells over the limits; and a
    formula's saved value unless ``calculated`` (the workbook's formulas were calculated)."""
    from openpyxl.utils import get_column_letter, range_boundaries

    found: list[str] = []
    header: dict[int, str] = {}
    columns: dict[int, tuple[list[int], list[str]]] = {}
    last = 1

    def at(row: int, col: int) -> str:
        name = f" {quote(header[col])}" if col in header else ""
        return f"({table}, row {row}) | column {get_column_letter(col)}{name}"

    spec = TABLES.get(table)
    numeric = {c.name for c in spec.columns if c.kind in COUNT_KINDS} if spec is not None else set()
    # the columns whose blank takes a default a formula's empty text must not (a cost 0, a capacity
    # unlimited); a blank bloc or period means what it says (review)
    defaulted = {c.name for c in spec.columns if c.kind in ("number", "capacity", "share")} if spec else set()
    # ids a date cell cannot be (a period may be a year typed as a date)
    named = {c.name for c in spec.columns if c.kind == "id"} - {"period"} if spec is not None else set()
    # the cell styles whose font is struck through: a row a planner crossed out reads as deleted
    fonts = ws.parent._fonts
    struck_styles = {i for i, style in enumerate(ws.parent._cell_styles)
                     if style.fontId < len(fonts) and fonts[style.fontId].strike}
    struck: dict[int, int] = {}  # row -> its cells holding data struck through
    with ws._get_source() as src:
        parser = _sheet_parser()(src, ws._shared_strings, data_only=True, epoch=ws.parent.epoch,
                                 date_formats=ws.parent._date_formats,
                                 timedelta_formats=ws.parent._timedelta_formats)
        parser.hidden_rows = []
        for r, cells in parser.parse():
            empty: list[str] = []  # the row's formulas whose saved result is the empty text
            held = False  # whether the row holds a value but 0 (formulas copied below the data give "" and 0)
            for cell in cells:
                value, col = cell["value"], cell["column"]
                if cell["data_type"] == "e":
                    found.append(f"{at(r, col)} holds the error value {quote(value, 20)}; fix the cell")
                    continue
                if cell["formula"] is not None and not (cell["cached"] and calculated):
                    saved = "no saved value" if not cell["cached"] else \
                        f"a saved value ({quote(_cell_text(value), 20)}) the workbook marks as not calculated"
                    found.append(f"{at(r, col)} holds a formula with {saved} "
                                 f"({quote(cell['formula'])}); open and save the workbook in Excel "
                                 "or LibreOffice, or type the value")
                    continue
                if r > 1 and cell["formula"] is not None and _totals(cell["formula"], col, r):
                    found.append(f"({table}, row {r}) | a totals row (column {get_column_letter(col)} holds "
                                 f"{quote(cell['formula'])}): a total is no row of {table}; delete the row "
                                 "(Excel: Table Design, untick Total Row)")
                    break
                if r > 1 and cell["formula"] is not None and value in (None, "") \
                        and header.get(col, "").strip().lower() in defaulted:
                    empty.append(f"{at(r, col)} holds a formula whose result is the empty text "
                                 f"({quote(cell['formula'])}), which would read as a blank cell and take the "
                                 "column's default; type the value, or make the formula give one")
                if value is None:
                    continue
                text = _cell_text(value)
                if r > 1 and cell["data_type"] == "s" and _dot_thousands(text) \
                        and header.get(col, "").strip().lower() in numeric:
                    whole = f"{float(text.replace('.', '')):,.0f} with a dot for thousands"
                    read = f", or {float(text):g}" if text.count(".") == 1 else ""
                    found.append(f"{at(r, col)} holds the text {quote(text)}: {whole}{read}? Type it as a "
                                 "number, not as text")
                    continue
                if r > 1 and isinstance(value, datetime.date | datetime.time | datetime.timedelta) \
                        and header.get(col, "").strip().lower() in named:
                    found.append(f"{at(r, col)} holds a date ({text}) where an id is expected: Excel turns "
                                 "ids such as MAR-1 or 1-2 into dates; format the column as Text and type "
                                 "the id again")
                    continue
                if len(text) > limits.cell_chars:
                    found.append(f"{at(r, col)} {limits.long_cell(len(text))}")
                    continue
                if r == 1:
                    header[col] = text
                    if len(header) > limits.columns:
                        problems.append(f"({table}) | the header row names more than "
                                        f"{limits.describe('columns')}")
                        return None
                elif text.strip():
                    rows, values = columns.setdefault(col, ([], []))
                    rows.append(r)
                    values.append(text)
                    last = max(last, r)
                    held = held or text.strip() != "0"
                    if cell["style_id"] in struck_styles:
                        struck[r] = struck.get(r, 0) + 1
            if empty and held:  # in a row of data (one of nothing but such formulas and zeros is left out)
                found += empty
            if r > limits.rows + 1 and r == last:
                problems.append(f"({table}) | the sheet has more than {limits.describe('rows')}")
                return None
            if len(found) > SHOWN:
                break
        merged = parser.merged_cells.mergeCell if parser.merged_cells is not None else []
        # rows (or columns) hidden by hand, by a filter or at zero size: read all the same, as a
        # hidden sheet is (said by data.py)
        hidden = parser.hidden_rows
        # spans of columns, not their columns: one <col max="2000000000"> took 55 bytes a column
        hidden_spans = [(_whole(a.get("min")), _whole(a.get("max")))
                        for a in parser.column_dimensions.values()
                        if a.get("hidden") in ("1", "true") or _zero(a.get("width"))]
    for rng in merged[:SHOWN + 1]:  # one more than shown: '… and more' said (ten said as all)
        c0, r0, c1, r1 = range_boundaries(str(rng.ref))
        cols = get_column_letter(c0) + (f"-{get_column_letter(c1)}" if c1 != c0 else "")
        found.append(f"({table}, row {r0}{f'-{r1}' if r1 != r0 else ''}) | column{'s' * (c1 != c0)} "
                     f"{cols}: cells {clip(str(rng.ref))} are merged; unmerge them and fill in every cell")
    if (below := _header_below(header, columns, spec)) is not None:
        problems.append(below)
        return None
    for col in sorted(set(columns) - set(header)):
        found.append(f"({table}, row {columns[col][0][0]}) | column {get_column_letter(col)} has no "
                     "name in the header row (row 1) but holds data; name it or delete it")
    if found:
        problems += found[:SHOWN]
        if len(found) > SHOWN:
            problems.append(f"({table}) | … and more cells like these")
        return None
    # only the rows holding data: a stray value at row 1,048,576 is one row, not a million
    filled = np.unique(np.concatenate([np.asarray(rows, dtype=np.int64) for rows, _ in columns.values()]
                                      or [np.zeros(0, dtype=np.int64)]))
    data: dict[str, np.ndarray] = {}
    for col in sorted(header):
        values = np.full(len(filled), "", dtype=object)
        if col in columns:
            rows, texts = columns[col]
            values[np.searchsorted(filled, rows)] = texts
        data[str(col)] = values
    df = pd.DataFrame(data, index=pd.Index(filled, name="_row"))
    df.columns = pd.Index([header[col] for col in sorted(header)], dtype=object)
    df.attrs[HIDDEN_ROWS] = sorted(set(hidden).intersection(filled.tolist()))
    if struck:
        held = np.bincount(np.concatenate([rows for rows, _ in columns.values()]))  # cells of each row
        df.attrs[STRUCK_ROWS] = sorted(r for r, n in struck.items() if n == held[r])
    if shut := [header[c] for c in sorted(set(columns) & set(header))
                if any(lo <= c <= hi for lo, hi in hidden_spans)]:
        many = len(shut) > 1
        keep_warnings({table: df}, [f"({table}) | column{'s' * many} {', '.join(map(quote, shut))} "
                                    f"{'are' if many else 'is'} hidden in the sheet, and read all the same: "
                                    "delete an optional column to leave it out (its default then applies)"])
    return df


def keep_warnings(frames: dict[str, pd.DataFrame], lines: list[str]) -> None:
    """Keep ``lines`` (warnings naming their tables) on a table read, for Network.from_frames."""
    if lines and frames:
        frame = next(iter(frames.values()))
        frame.attrs[READ_WARNINGS] = [*frame.attrs.get(READ_WARNINGS, ()), *lines]


def _zero(size: str | None) -> bool:
    """Whether a row's height or a column's width in the sheet's XML is 0 (hidden by dragging)."""
    try:
        return size is not None and float(size) == 0
    except ValueError:
        return False


def _whole(number: str | None) -> int:
    """A column number of the sheet's XML (``<col min= max=>``); 0 when it is none."""
    try:
        return int(number) if number is not None else 0
    except ValueError:
        return 0


def _header_below(header: dict[int, str], columns: dict[int, tuple[list[int], list[str]]],
                  spec: Any) -> str | None:
    """A title (or nothing) in row 1 and the column names in the first row below it: one problem
    saying so (each column was said to have no name), else None."""
    if spec is None or not columns:
        return None
    names = {c.name for c in spec.columns}
    if sum(h.strip().lower() in names for h in header.values()) > 1:  # a header ('Demand' alone: a title)
        return None
    first = min(rows[0] for rows, _ in columns.values())
    named = [texts[0] for rows, texts in columns.values()
             if rows[0] == first and texts[0].strip().lower() in names]
    if len(named) < 2:
        return None
    title = f"holds {quote(' '.join(header.values()), 40)}" if header else "is empty"
    return (f"({spec.name}) | row 1 {title} and row {first} the column names ({', '.join(named)}): the "
            f"header must be the first row; delete the row{'s' * (first > 2)} above it")


#: a workbook part unzipping to more than this many times its stored size, once over 1 MB, is
#: refused as a zip bomb (Excel's sheets and shared strings compress about 5-30 times; 200,000
#: identical rows 15 times; 9.9 MB of empty cell formats in styles.xml, 648 times, held 1.4 GB)
MAX_INFLATION = 100


def _check_unzipped(label: str, parts: list[Any], limits: Limits) -> None:
    """The workbook's parts unzip within ``limits.file_bytes`` together (as a CSV file of that
    size would be read), and none inflates more than :data:`MAX_INFLATION` times: a 518 KB file
    whose shared strings unzip to 204 MB took three minutes and 1.2 GB to read."""
    total = sum(i.file_size for i in parts)
    if total > limits.file_bytes:
        big = max(parts, key=lambda i: i.file_size)
        raise ValidationError([f"({label}) | the workbook unzips to {total / 2**20:,.1f} MB (part "
                               f"{quote(big.filename)}: {big.file_size / 2**20:,.1f} MB), over the limit of "
                               f"{limits.describe('file_mb')}"])
    bomb = next((i for i in parts if i.file_size > 2**20
                 and i.file_size > MAX_INFLATION * max(i.compress_size, 1)), None)
    if bomb is not None:
        raise ValidationError([f"({label}) | part {quote(bomb.filename)} unzips to "
                               f"{bomb.file_size / 2**20:,.1f} MB from {bomb.compress_size / 2**10:,.0f} KB, "
                               f"more than {MAX_INFLATION} times its stored size: not read (save the "
                               "workbook again from Excel, or give CSV files)"])


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')


def _listing(raw: bytes) -> bytes:
    """``xl/workbook.xml`` of workbook ``raw`` (empty when it has no such part: openpyxl then
    says what is wrong)."""
    import zipfile

    with zipfile.ZipFile(BytesIO(raw)) as zf:
        try:
            return zf.read("xl/workbook.xml")
        except KeyError:
            return b""


def _listed_sheets(listing: bytes) -> list[str]:
    """The sheet names that ``listing`` (:func:`_listing`) lists."""
    import html

    return [html.unescape(m.decode("utf-8", "replace")) for m in _SHEET.findall(listing)]


#: the namespace of a workbook saved as Strict Open XML (ISO/IEC 29500 strict)
_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
#: a workbook's request to calculate every formula on opening: its writer calculated none (the
#: saved values are placeholders: XlsxWriter's 0); Excel and LibreOffice save without it
_CALCULATE_ON_OPENING = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=[\"'](?:1|true)[\"']")


def _holds(ws: Any, table: str) -> bool:
    """Whether sheet ``ws``'s first row names ``table``'s columns (:func:`names_columns`)."""
    try:
        return names_columns(next(ws.iter_rows(max_row=1, values_only=True), ()), table)
    except Exception:  # a chart sheet, a damaged one: no table
        return False


def _not_xlsx(label: str, raw: bytes) -> str:
    """What a file that is no zip archive is, as far as its first bytes tell."""
    if label.startswith("~$"):
        return f"Excel's lock file of an open workbook, not the workbook: give {label[2:]!r}"
    if raw.startswith(OLE2_MAGIC):
        return ("a password-protected workbook or an old .xls file; remove the password (Excel: File > "
                "Info > Protect Workbook) or save it as .xlsx")
    return ("not an .xlsx workbook (damaged, or another format such as .xls or .csv renamed); save it "
            "from Excel as .xlsx")


def read_workbook(path: Path, limits: Limits, problems: list[str]) -> dict[str, pd.DataFrame]:
    """The table sheets of workbook ``path``; a problem with a sheet is added to ``problems``,
    one with the whole file raises a ValidationError."""
    import zipfile

    label = path.name
    raw = read_bytes(path, label, limits.file_bytes, "file_mb", limits)
    try:
        with zipfile.ZipFile(BytesIO(raw)) as zf:
            parts = zf.infolist()
    except ZIP_ERRORS as exc:
        raise ValidationError([f"({label}) | {_not_xlsx(label, raw)}"]) from exc
    names = {i.filename for i in parts}
    if {"mimetype", "content.xml"} <= names and "[Content_Types].xml" not in names:
        raise ValidationError([f"({label}) | an OpenDocument spreadsheet (.ods) named .xlsx; save it as "
                               ".xlsx (LibreOffice: File > Save As > Excel 2007-365)"])
    if "[Content_Types].xml" not in names:  # openpyxl: "There is no item named '[Content_Types].xml'"
        csv = any(n.lower().endswith(".csv") for n in names)
        raise ValidationError([f"({label}) | " + (
            "a zip archive of CSV files under an .xlsx name; unzip it into a folder of CSV files (the "
            "app takes the .zip itself)" if csv else
            "a zip archive, not an .xlsx workbook; save the workbook from Excel as .xlsx")])
    _check_unzipped(label, parts, limits)
    frames: dict[str, pd.DataFrame] = {}
    hidden: dict[str, str] = {}  # table -> where and how its sheet is hidden
    with warnings_ignored("openpyxl"):  # openpyxl's own (unsupported extensions, ...)
        try:
            import openpyxl

            book = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise ValidationError([f"({label}) | cannot read the workbook: "
                                   f"{clip(str(exc) or type(exc).__name__)}"]) from exc
        try:
            listing = _listing(raw)
            if _STRICT in listing:  # openpyxl finds no sheet's cells in it: not a damaged file
                raise ValidationError([f"({label}) | saved as 'Strict Open XML Spreadsheet', which is not "
                                       "read; save it as 'Excel Workbook (*.xlsx)'"])
            calculated = not _CALCULATE_ON_OPENING.search(listing)
            for title in _listed_sheets(listing):  # openpyxl leaves out a sheet whose part is missing
                if title not in book.sheetnames and title.strip().lower() in TABLES:
                    problems.append(f"({title.strip().lower()}) | sheet {quote(title)} is listed in {label} "
                                    "but its cells are missing from the file (a damaged workbook); save it "
                                    "again from Excel or LibreOffice")
            sheets: dict[str, Any] = {}
            others = []
            present = {str(t).strip().lower() for t in book.sheetnames}
            for title in book.sheetnames:
                name = str(title).strip().lower()
                if name in TABLES:
                    if name in sheets:
                        problems.append(f"({name}) | two sheets are named {quote(name)} "
                                        "(names are case-insensitive); keep one")
                    sheets[name] = book[title]
                elif close := misspelt_table(name, present.__contains__,
                                             lambda t, ws=book[title]: _holds(ws, t)):
                    problems.append(f"({label}) | sheet {quote(title)} is not a table name (did you mean "
                                    f"{quote(close)}?); tables are: {', '.join(TABLES)}")
                elif (table := mentioned_table(str(title))) is not None:
                    others.append((str(title), table))
            found, said = not_read(others, "sheet", lambda t: f"sheet {t!r}",
                                   lambda title, t: _holds(book[title], t), lambda t: t in sheets)
            problems += found
            for name, ws in sheets.items():
                if not hasattr(ws, "_get_source"):
                    problems.append(f"({name}) | sheet {quote(ws.title)} is a chart, not a table")
                    continue
                if (state := getattr(ws, "sheet_state", "visible")) != "visible":
                    hidden[name] = label if state != "veryHidden" else (
                        f"{label}, very hidden (Excel's Unhide does not list it: show it by its Visible "
                        "property in the VBA editor, Alt+F11)")
                df = _read_sheet(ws, name, problems, limits, calculated)
                if df is not None:
                    frames[name] = df
        except ValidationError:
            raise
        except Exception as exc:  # a damaged sheet: bad XML, bad coordinates, ...
            raise ValidationError([f"({label}) | cannot read the workbook: "
                                   f"{clip(str(exc) or type(exc).__name__)}"]) from exc
        finally:
            book.close()
    for name, where_hidden in hidden.items():  # a hidden sheet's table is read: from_frames says so
        if name in frames:
            frames[name].attrs[HIDDEN] = where_hidden
    keep_warnings(frames, said)
    return frames
