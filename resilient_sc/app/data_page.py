"""Step 1, the data: the bundled example or an uploaded workbook (.xlsx), validated by the
library's reader; every table in an editable grid; problems listed by table, row and column;
the edited tables downloaded as a workbook.

>>> from .state import Session
>>> s = Session.example()
>>> book = edited_workbook(s)
>>> book.suffix, read_upload(book.read_bytes(), "x.xlsx", s.workdir)
('.xlsx', Network(22 suppliers, 8 hubs, 25 markets, 3 products, 13 countries))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import Network, read_network
from ..exceptions import ValidationError
from ..io import write_excel
from ..limits import current
from .state import cleaned, problem_rows

if TYPE_CHECKING:
    from .state import Session

#: the problem table's columns
PROBLEM_COLUMNS = ("table", "row", "id", "column", "message")


def read_upload(content: bytes, name: str, workdir: Path) -> Network:
    """An uploaded workbook read by :func:`read_network` (the CLI's limits and errors); it is
    saved in the session's temporary folder first, never next to anything of the user's."""
    if Path(name).suffix.lower() != ".xlsx":
        raise ValidationError([f"({name}) | expected an .xlsx workbook"])
    if len(content) > current().file_bytes:
        raise ValidationError([f"({name}) | the file is larger than {current().file_bytes:,} bytes"])
    path = workdir / "uploaded.xlsx"
    path.write_bytes(content)
    return read_network(path)


def edited_workbook(session: Session) -> Path:
    """The session's tables (as edited) as a workbook that :func:`read_network` reads back."""
    path = session.workdir / "network.xlsx"
    write_excel(path, cleaned(session.frames))
    return path


def grid_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the grid: JSON-friendly (NaN as empty)."""
    return [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in df.astype(object).to_dict("records")]


def build(session: Session, on_network: Callable[[], None]) -> None:
    """The data panel; ``on_network()`` is called when new data replaces the old."""
    from nicegui import events, ui

    def show_problems(exc: ValidationError | None) -> None:
        problems.clear()
        if exc is None:
            return
        with problems:
            ui.label(f"{len(exc.problems)} problem(s) in the data:").classes("text-red-700 font-bold")
            ui.table(columns=[{"name": c, "label": c, "field": c, "align": "left"} for c in PROBLEM_COLUMNS],
                     rows=problem_rows(exc)).props("dense data-testid=problems").classes("w-full")

    def refresh() -> None:
        source.text = f"Data: {session.source} — {session.network!r}"
        tables.refresh()

    async def upload(e: events.UploadEventArguments) -> None:
        try:
            network = read_upload(await e.file.read(), e.file.name, session.workdir)
        except ValidationError as exc:
            show_problems(exc)
            return
        except Exception as exc:  # a workbook the reader cannot open
            show_problems(ValidationError([f"({e.file.name}) | cannot read it ({type(exc).__name__})"]))
            return
        show_problems(None)
        session.replace_network(network, e.file.name)
        refresh()
        on_network()

    def apply() -> None:
        try:
            session.apply_edits()
        except ValidationError as exc:
            show_problems(exc)
            return
        show_problems(None)
        refresh()
        on_network()
        ui.notify("edits validated and in use")

    def edited(name: str, e: events.GenericEventArguments) -> None:
        df, col = session.frames[name], e.args["colId"]
        if df[col].dtype != object:  # the reader's coercion decides what the text means
            df[col] = df[col].astype(object)
        df.loc[int(e.args["rowId"]), col] = e.args["newValue"]

    source = ui.label().classes("font-bold")
    with ui.row().classes("items-center"):
        ui.upload(label="Upload a workbook (.xlsx)", auto_upload=True, on_upload=upload).props(
            "accept=.xlsx data-testid=upload-data")
        ui.button("Use edits", icon="check", on_click=apply)
        ui.button("Download workbook", icon="download",
                  on_click=lambda: ui.download.file(edited_workbook(session), "network.xlsx"))
    problems = ui.column().classes("w-full")

    @ui.refreshable
    def tables() -> None:
        with ui.tabs() as tabs:
            names = [n for n, df in session.frames.items() if len(df.columns)]
            for name in names:
                ui.tab(name)
        with ui.tab_panels(tabs, value=names[0]).classes("w-full"):
            for name in names:
                df = session.frames[name]
                with ui.tab_panel(name):
                    grid = ui.aggrid({"columnDefs": [{"field": c, "editable": True} for c in df.columns],
                                      "rowData": grid_rows(df), "defaultColDef": {"resizable": True}},
                                     theme="balham").classes("h-72")
                    grid.on("cellValueChanged", lambda e, name=name: edited(name, e))

    tables()
    refresh()
