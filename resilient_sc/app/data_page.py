"""Step 1, the data: the bundled example or its roadmap variant (a ``periods`` table: every
solve is then a roadmap), an uploaded workbook (.xlsx) or zipped CSV folder (.zip), or the
input template, validated by the library's reader; every table (``periods`` too) in an
editable grid; problems listed by table, row and column; the edited tables downloaded as a
workbook.

>>> from .state import Session
>>> s = Session.example()
>>> book = edited_workbook(s)
>>> book.suffix, read_upload(book.read_bytes(), "x.xlsx", s.workdir)
('.xlsx', Network(22 suppliers, 8 hubs, 25 markets, 3 products, 13 countries))
>>> template_network(s.workdir)
Network(1 supplier, 1 hub, 1 market, 1 product, 2 countries)
"""

from __future__ import annotations

import io
import math
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import Network, read_network
from ..exceptions import ValidationError
from ..format import count, file_size
from ..io import write_excel
from ..limits import ZIP_ERRORS, current
from ..schema import TABLES
from ..template import write_template
from ..wording import closest
from . import access
from .refused import on_refused, refused_text
from .state import cleaned, problem_rows, upload_path, user_words

if TYPE_CHECKING:
    from .state import Session

#: the problem table's columns
PROBLEM_COLUMNS = ("table", "row", "id", "column", "message")
#: what the page says of a file the uploader refused (another kind, or over the size limit;
#: :func:`.refused.refused_text` names it and why)
REJECTED = ("the file was not read: expected an .xlsx workbook or a .zip of CSV files (for CSV files, "
            "zip their folder) of at most {mb:g} MB (the server's limit: whoever runs it can raise it with "
            "RESILIENT_SC_MAX_FILE_MB)")
#: the most members a zipped CSV folder may hold
ZIP_MEMBERS = 1_000
#: the most rows a table's grid shows (the browser is sent every row shown: a 1M-row table was 66 MB)
GRID_ROWS = 2_000


def read_upload(content: bytes, name: str, workdir: Path) -> Network:
    """An uploaded workbook (.xlsx) or zipped CSV folder (.zip) read by :func:`read_network`
    (the CLI's limits and errors); it is saved in the session's temporary folder first (a zip
    extracted there by :func:`unzip_tables`), never next to anything of the user's, and removed
    once read (every upload's copy stayed until the tab closed: 1 GB after four large ones)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".zip"):  # .xlsm: its tables read, its macros never run
        raise ValidationError([f"({name}) | expected an .xlsx workbook or a .zip of CSV files"])
    limits = current()
    if len(content) > limits.file_bytes:
        raise ValidationError([f"({name}) | the file is larger than the limit of "
                               f"{limits.describe('file_mb')}"])
    if suffix == ".zip":
        scratch = Path(tempfile.mkdtemp(prefix="reading-", dir=workdir))
    else:
        path = upload_path(name, workdir)  # its own name: the messages name the user's file
        scratch = path.parent
    try:
        try:
            if suffix == ".zip":
                path = unzip_tables(content, name, scratch)
            else:
                path.write_bytes(content)
        except OSError as exc:  # the server's disk, not the user's file (it said 'cannot read it (OSError)')
            raise ValidationError([f"({name}) | the server could not save its copy of the file to read it "
                                   f"({exc.strerror or exc}: its disk may be full); nothing is wrong with "
                                   "the file: try again later, or tell whoever runs the app"]) from exc
        network = read_network(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return network._derived(source=name)  # the user's file, not the server's copy of it, in every export


#: what reading a member of a damaged or encrypted archive raises (not a full disk's OSError on
#: writing it; an encrypted member's RuntimeError read 'cannot read it (RuntimeError)')
UNZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def unzip_tables(content: bytes, name: str, workdir: Path) -> Path:
    """The folder of table CSV files (``suppliers.csv``, …) of zip archive ``content``,
    extracted into a fresh folder of ``workdir``: at the archive's top or in one folder of it.

    Refused, as a :class:`ValidationError` labelled ``name``: a damaged archive, more than
    :data:`ZIP_MEMBERS` members, a member name that is absolute or climbs out (``..``), a
    member over the file size limit of :mod:`resilient_sc.limits` (checked on the bytes
    extracted, not only the archive's word), a damaged member, tables in several folders or none.
    (No limit on how much a member inflates: a sheet Excel saved with formatted blank rows
    down to the last one zips 600 times smaller, and the size limit bounds the work as it
    bounds a CSV file's.) Only the
    ``.csv`` members named like a table are extracted, within the file size limit together."""
    limits = current()
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except ZIP_ERRORS as exc:
        raise ValidationError([f"({name}) | not a zip archive (damaged, or another format renamed)"]) from exc
    with zf:
        members = zf.infolist()
        if len(members) > ZIP_MEMBERS:
            raise ValidationError([f"({name}) | {len(members):,} members, more than {ZIP_MEMBERS:,}"])
        wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        others: list[PurePosixPath] = []
        for info in members:
            raw = info.filename
            member = PurePosixPath(raw.replace("\\", "/"))
            if raw.startswith(("/", "\\")) or ".." in member.parts or ":" in raw:
                raise ValidationError([f"({name}) | member {raw[:120]!r} has an absolute or climbing "
                                       "path; zip the folder of CSV files itself"])
            if info.is_dir() or member.suffix.lower() != ".csv" or member.name.startswith("._"):
                continue
            if member.stem.lower() not in TABLES:  # not extracted; a near miss is said below
                others.append(member)
                continue
            if info.file_size > limits.file_bytes:
                raise ValidationError([f"({name}) | member {raw[:120]!r} unzips to "
                                       f"{info.file_size / 2**20:,.1f} MB, over the limit of "
                                       f"{limits.describe('file_mb')}"])
            wanted.append((info, member))
        folders = sorted({str(m.parent) for _, m in wanted})
        if not folders:
            raise ValidationError([f"({name}) | no table CSV files in the archive (expected "
                                   f"{', '.join(f'{t}.csv' for t in list(TABLES)[:3])}, …)"])
        if len(folders) > 1:
            raise ValidationError([f"({name}) | table CSV files in several folders "
                                   f"({', '.join(folders[:5])}); zip one folder"])
        kept = [m for _, m in wanted if str(m.parent) == folders[0]]
        stems = [m.stem.lower() for m in kept]
        if twice := sorted({t for t in stems if stems.count(t) > 1}):  # one overwrote the other on macOS
            def told(t: str) -> str:
                names = [m.name for m in kept if m.stem.lower() == t]
                return (f"its names told apart by case only ({', '.join(map(repr, names))})"
                        if len(set(names)) > 1 else f"two members named {names[0]!r}")
            raise ValidationError([f"({name}) | the table {t!r} is in the archive twice, {told(t)}; keep one"
                                   for t in twice])
        present = set(stems)
        near = [f"({name}) | {str(m)[:120]!r} is not a table name (did you mean '{hit}.csv'?)"
                for m in others if str(m.parent) == folders[0]
                and (hit := closest(m.stem, list(TABLES))) not in (None, *present)]  # a copy beside it: no
        if near:  # the folder reader says the same of a misspelt file: a table would be left out silently
            raise ValidationError(near)
        target = Path(tempfile.mkdtemp(prefix="uploaded-", dir=workdir))
        left = limits.file_bytes  # the tables together, as one workbook's parts are
        for info, member in wanted:
            if str(member.parent) != folders[0]:
                continue
            out = target / member.name
            try:
                with zf.open(info) as src, open(out, "wb") as dst:
                    copied = _copy(src, dst, left)
            except UNZIP_ERRORS as exc:  # a stated size or checksum not the bytes': a traceback
                why = ("is encrypted: zip the folder of CSV files again without a password"
                       if info.flag_bits & 0x1 else f"is damaged ({exc}): zip the folder of CSV files again")
                raise ValidationError([f"({name}) | member {info.filename[:120]!r} {why}"]) from exc
            left -= copied
            if left < 0:
                raise ValidationError([f"({name}) | the table CSV files unzip to more than the limit of "
                                       f"{limits.describe('file_mb')} (at member {info.filename[:120]!r})"])
    return target


def _copy(src: Any, dst: Any, limit: int) -> int:
    """Copy at most ``limit + 1`` bytes; the number copied."""
    n = 0
    while n <= limit:
        chunk = src.read(min(1 << 20, limit + 1 - n))
        if not chunk:
            break
        dst.write(chunk)
        n += len(chunk)
    return n


def template_network(workdir: Path) -> Network:
    """The input template (:func:`resilient_sc.template.write_template`), written in a fresh
    folder of ``workdir`` and read back: one row per table to start from."""
    return read_network(write_template(Path(tempfile.mkdtemp(prefix="template-", dir=workdir)) / "template"))


def edited_workbook(session: Session) -> Path:
    """The session's tables (as edited) as a workbook that :func:`read_network` reads back."""
    path = session.workdir / "network.xlsx"
    write_excel(path, cleaned(session.frames))
    return path


#: the field of a grid row holding its row's index in the table (no column: AG Grid shows none)
ROW_FIELD = "_i"


def grid_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the grid: JSON-friendly (NaN as empty), each with its index as :data:`ROW_FIELD`."""
    rows = df.astype(object).to_dict("records")
    return [{**{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()},
             ROW_FIELD: i} for i, row in zip(df.index, rows, strict=True)]


def grid_edit(df: pd.DataFrame, args: Any) -> tuple[Any, str, Any] | None:
    """The (row, column, value) of ``df`` that a grid's ``cellValueChanged`` event ``args`` sets;
    None for an event no grid of ``df`` sends (a column or row it has not, a value no cell holds):
    crafted ones raised KeyError and ValueError on the server, and row ids 100000000 and -5 added
    rows unseen (security audit).

    >>> df = pd.DataFrame({"hub": ["H1"]})
    >>> grid_edit(df, {"rowId": "0", "colId": "hub", "newValue": "H2"})
    (0, 'hub', 'H2')
    >>> grid_edit(df, {"rowId": 7, "colId": "hub"}), grid_edit(df, {"rowId": "x", "colId": "hub"})
    (None, None)
    """
    try:
        row, col, value = int(args["rowId"]), args["colId"], args.get("newValue")
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    if row not in df.index or not isinstance(col, str) or col not in df.columns:
        return None
    if value is not None and not isinstance(value, (str, int, float)):
        return None
    return row, col, value


#: a grid column's least width: pixels per character of its longest header or value, and the
#: cell's padding, at most :data:`WIDEST` (balham's 12 px font is about 7 px a character)
CHAR_PX, PADDING_PX, WIDEST = 8, 28, 320


def grid_columns(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The grid's columns of ``df``: each as wide as its longest header or value (at most
    :data:`WIDEST` px, the grid scrolling sideways beyond), its full value on hover. Squeezed to
    fit a page zoomed to 200%, ``H_Lo…`` stood for both H_Lodz and H_Los_Angeles and ``2760…`` for
    276000 (accessibility audit).

    >>> hubs = pd.DataFrame({"hub": ["H_Los_Angeles"], "x": [1]})
    >>> [(c["field"], c["minWidth"]) for c in grid_columns(hubs)]
    [('hub', 132), ('x', 36)]
    """
    def longest(c: Any) -> int:
        values = df[c].head(GRID_ROWS).dropna().astype(str)
        return max([len(str(c)), *values.str.len()])
    return [{"field": c, "headerName": c, "editable": True, "tooltipField": c, "headerTooltip": str(c),
             "minWidth": min(WIDEST, PADDING_PX + CHAR_PX * longest(c))} for c in df.columns]


def periods_text(session: Session) -> str:
    """What the data label adds for a roadmap: its periods (from the ``periods`` table).

    >>> from .state import Session
    >>> periods_text(Session.roadmap_example()), periods_text(Session.example())
    (' — a roadmap of 5 periods: 2026, 2027, 2028, 2029, 2030', '')
    """
    ids = session.period_ids()
    return f" — a roadmap of {count(len(ids), 'period')}: {', '.join(ids)}" if ids else ""


def build(session: Session, on_network: Callable[[], None]) -> None:
    """The data panel; ``on_network()`` is called when new data replaces the old."""
    from nicegui import events, ui

    def show_problems(exc: ValidationError | None, what: str = "the edits") -> None:
        """``exc``'s problems, headed by what was refused (a file, the edits) and what stays in use:
        the uploader's green tick read as 'loaded'."""
        problems.clear()
        if exc is None:
            return
        with problems:
            refused = ui.label(f"Not used: {what} ({count(exc.n_problems, 'problem')}); the data in use "
                               f"is still {session.source}:").classes("text-red-700 font-bold")
            access.alert(refused.props("data-testid=refused"))
            ui.table(columns=[{"name": c, "label": c, "field": c, "align": "left"} for c in PROBLEM_COLUMNS],
                     rows=problem_rows(exc)).props("dense data-testid=problems").classes("w-full")

    def show_warnings() -> None:
        """The data's warnings (a tariff rate typed as a percentage, capacity short of demand):
        the data is in use, and the planner reads what looks wrong in it."""
        notes.clear()
        said = session.network.warnings
        if not said:
            return
        with notes:
            ui.label(f"{count(len(said), 'warning')} about the data (it is in use; check these rows):"
                     ).classes("text-orange-700 font-bold")
            ui.table(columns=[{"name": c, "label": c, "field": c, "align": "left"} for c in PROBLEM_COLUMNS],
                     rows=problem_rows(ValidationError(list(said)))).props(
                "dense data-testid=data-warnings").classes("w-full")

    def refresh() -> None:
        source.text = f"Data: {session.source} — {session.network!r}{periods_text(session)}"
        pending.text = ""
        show_warnings()
        tables.refresh()

    asked = {"data": 0}  # the number of the last data asked for: an upload read meanwhile is not used

    def asking() -> int:
        """A new data asked for (a file, an example, the template, edits): its number; a file
        still being read is stopped (it would not be used)."""
        if reading[0] is not None:
            reading[0].stop()
        asked["data"] += 1
        return asked["data"]

    def use(network: Network, source_name: str) -> None:
        show_problems(None)
        left_out = session.replace_network(network, source_name)
        refresh()
        on_network()
        if left_out:
            ui.notify(left_out, type="warning", multi_line=True, timeout=0, close_button=True)

    def example(roadmap: bool) -> None:
        asking()
        show_problems(None)
        note = session.open_example(roadmap)
        refresh()
        on_network()
        ui.notify(f"data: {note}")

    def template() -> None:
        asking()
        use(template_network(session.workdir), "the input template (one row per table: edit, then Use edits)")

    async def upload(e: events.UploadEventArguments) -> None:
        """Read in a process of its own (:meth:`Session.start`): the server's loop and memory are
        every tab's (a 5M-row sheet took 106 s there, held 1.1 GB after, and read on once its tab
        had closed); not used if other data was asked for meanwhile (it replaced them, and the
        scenarios solved since, when it ended), nor when stopped."""
        uploader.reset()  # the page says what became of the file: no tick of 'sent' beside a refusal
        name, mine = e.file.name, asking()
        if e.file.size() > current().file_bytes:  # refused before it is read into memory
            show_problems(ValidationError([f"({name}) | the file is larger than the limit of "
                                           f"{current().describe('file_mb')}"]), name)
            return
        client = ui.context.client
        job = reading[0] = session.start(read_upload, [await e.file.read(), name, session.workdir], "read")
        reading_status.text = (f"Reading {name} ({file_size(e.file.size())})… (the data in use is still "
                               f"{session.source})")
        stop_reading.set_visibility(True)
        kind, out = await job.result()
        session.ended(job)
        if client.is_deleted:  # the tab closed while it read (its jobs were stopped)
            return
        access.refocus(uploader)
        if reading[0] is job:
            reading[0] = None
            stop_reading.set_visibility(False)
            reading_status.text = ""
        if mine != asked["data"]:
            ui.notify(f"{name} was not used: other data was opened while it was read",
                      type="warning", multi_line=True)
        elif kind == "ok":
            use(out, name)
            ui.notify(f"{name} read: it is the data in use")
        elif kind == "invalid":
            show_problems(ValidationError([user_words(p, session.workdir) for p in out]), name)
        elif kind == "stopped":
            reading_status.text = f"Reading {name} stopped; the data in use is still {session.source}"
        else:  # a workbook the reader cannot open, or the reading process ended
            show_problems(ValidationError([f"({name}) | cannot read it ({str(out).split(':')[0]})"]), name)

    def apply() -> None:
        asking()
        try:
            left_out = session.apply_edits()
        except ValidationError as exc:
            show_problems(exc)
            return
        show_problems(None)
        refresh()
        on_network()
        ui.notify("edits validated and in use" + (f"; {left_out}" if left_out else ""),
                  type="warning" if left_out else "info", multi_line=True)

    def pend(last: str) -> None:
        session.pending_edits = last
        pending.text = (f"Pending edits (last: {last}): not in use until you click Use edits, which "
                        "validates them; nothing is solved until then (open the data again to drop them).")

    def changed(name: str, what: str, df: pd.DataFrame, button: str) -> None:
        """Table ``name`` now ``df`` (rows added or deleted): pending until Use edits; the focus back
        on the ``button`` clicked (data-testid), drawn again with the grids (it fell to the page's
        body: a keyboard user tabbed again from the top, WCAG 2.4.3)."""
        session.frames[name] = df.reset_index(drop=True)
        pend(f"{name}, {what}")
        tables.refresh()
        access.refocus_testid(button)

    def add_row(name: str) -> None:
        df = session.frames[name].astype(object)
        changed(name, "a row added", pd.concat([df, pd.DataFrame([dict.fromkeys(df.columns, "")])],
                                               ignore_index=True), f"add-row-{name}")

    async def delete_rows(name: str, grid: Any) -> None:
        gone = [int(r[ROW_FIELD]) for r in await grid.get_selected_rows() if ROW_FIELD in r]
        if not gone:
            ui.notify("tick the rows to delete first (the boxes at the left of the grid)")
            return
        changed(name, f"{count(len(gone), 'row')} deleted", session.frames[name].drop(index=gone),
                f"delete-rows-{name}")

    def edited(name: str, e: events.GenericEventArguments) -> None:
        df, cell = session.frames[name], grid_edit(session.frames[name], e.args)
        if cell is None:
            return
        row, col, value = cell
        if df[col].dtype != object:  # the reader's coercion decides what the text means
            df[col] = df[col].astype(object)
        df.loc[row, col] = value
        pend(f"{name}, {col}")

    source = ui.label().classes("font-bold")
    with ui.row().classes("items-center"):
        words = "Upload a workbook (.xlsx) or zipped CSV folder (.zip)"
        uploader = ui.upload(label=words, auto_upload=True,
                             on_upload=upload, max_file_size=current().file_bytes,  # refused before read
                             ).props(
            "accept=.xlsx,.xlsm,.zip data-testid=upload-data").props(f'data-label="{words}"')
        on_refused(uploader, lambda refused: show_problems(ValidationError([refused_text(
            REJECTED.format(mb=current().file_mb), refused)]), "the file"))
        ui.button("Open the example", icon="inventory_2", on_click=lambda: example(False)).props(
            "data-testid=example")
        ui.button("Open the roadmap example (2026–2030)", icon="timeline",
                  on_click=lambda: example(True)).props("data-testid=roadmap-example")
        ui.button("Start from the template", icon="note_add", on_click=template).props(
            "data-testid=template")
        ui.button("Use edits", icon="check", on_click=apply).props("data-testid=use-edits")
        ui.button("Download workbook", icon="download",
                  on_click=lambda: ui.download.file(edited_workbook(session), "network.xlsx"))
    with ui.row().classes("items-center"):
        reading_status = access.status(ui.label().props("data-testid=reading"))
        stop_reading = ui.button("Stop reading", icon="stop", color="red-9",
                                 on_click=lambda: reading[0] is not None and reading[0].stop()).props(
            "flat dense data-testid=stop-reading")
        stop_reading.set_visibility(False)  # shown while a file is read
    reading: list[Any] = [None]  # the job reading the last file uploaded
    pending = access.status(ui.label().classes("text-orange-700 font-bold").props(
        "data-testid=pending-edits"))
    problems = ui.column().classes("w-full")
    notes = ui.column().classes("w-full")

    shown = {"tab": ""}  # the table a planner was on: kept when the grids are drawn again

    @ui.refreshable
    def tables() -> None:
        # arrows where the tables' names run past a narrow screen (without, six tables were out of sight)
        with ui.tabs(on_change=lambda e: shown.update(tab=str(e.value))).props(
                "outside-arrows mobile-arrows") as tabs:
            names = [n for n, df in session.frames.items() if len(df.columns)]
            for name in names:
                ui.tab(name)
        with ui.tab_panels(tabs, value=shown["tab"] if shown["tab"] in names else names[0]).classes("w-full"):
            for name in names:
                df = session.frames[name]
                with ui.tab_panel(name):
                    if len(df) > GRID_ROWS:
                        ui.label(f"Showing the first {GRID_ROWS:,} of {len(df):,} rows: edit the others in "
                                 "your file and upload it again.").props(f"data-testid=grid-cut-{name}")
                    # cells edited as text (no data type): AG Grid's number parser read '101,19' as 10119
                    # and 'lots' as blank; the reader's coercion says what a text means, or that it is none
                    grid = ui.aggrid({"columnDefs": grid_columns(df),
                                      "rowData": grid_rows(df.head(GRID_ROWS)),
                                      "rowSelection": {"mode": "multiRow", "enableClickSelection": False},
                                      "accentedSort": True,  # São by Seoul, not after Shanghai
                                      "defaultColDef": {"resizable": True, "cellDataType": False}},
                                     theme="balham").classes("h-72")
                    access.named(grid, f"table {name}")
                    grid.on("cellValueChanged", lambda e, name=name: edited(name, e))
                    if len(df) <= GRID_ROWS:  # beyond, a row added would not be shown
                        with ui.row():
                            ui.button("Add a row", icon="add",
                                      on_click=lambda name=name: add_row(name)).props(
                                f"flat dense data-testid=add-row-{name}")
                            ui.button("Delete the ticked rows", icon="delete",
                                      on_click=lambda name=name, grid=grid: delete_rows(name, grid)).props(
                                f"flat dense data-testid=delete-rows-{name}")

    tables()
    refresh()
