"""Step 5, export: the plan workbook (:func:`resilient_sc.workbook.write_workbook`: the plan of
the current design, the premium table of the scenarios, the last stress test), the premium
report folder of the scenarios (:func:`resilient_sc.analysis.report.write_premium_report`:
CSV tables, PNG figures, ``report.md``) as a zip, and the app's interactive figures as one
offline HTML page; each written in the session's temporary folder and handed to the browser
as a download.

>>> from resilient_sc import solve
>>> from .state import Session
>>> s = Session.example()
>>> s.plan = solve(s.network)
>>> plan_workbook(s).name
'plan.xlsx'
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.report import write_premium_report
from ..workbook import write_workbook
from .compare_page import frontier_figure, outcomes, premium_bars, premium_frame, served_heatmap

if TYPE_CHECKING:
    from .state import Session

#: the folder name inside the report zip
REPORT = "premium-report"


def plan_workbook(session: Session) -> Path:
    """The plan workbook of the session (ValueError when nothing is solved yet)."""
    table = premium_frame(session) if len(session.scenarios) > 1 else None
    return write_workbook(session.workdir / "plan.xlsx", session.plan, premium_table=table,
                          stress=session.stress)


def report_zip(session: Session) -> Path:
    """The premium report of the session's scenarios (each with its stress test when one was
    run) zipped as ``premium-report/…``; ValueError when no scenario is solved yet."""
    found = outcomes(session)
    if not found:
        raise ValueError("solve a policy first: the report compares the scenarios")
    table = premium_frame(session)
    folder = session.workdir / REPORT
    written = write_premium_report(folder, session.network, found, table, force=True)
    path = session.workdir / f"{REPORT}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(written):
            zf.write(file, f"{REPORT}/{file.relative_to(folder).as_posix()}")
    return path


def figures(session: Session) -> list[tuple[str, Any]]:
    """The app's figures of the session, titled: the map of the current plan, the premium bars,
    the served heatmap of each product of the last stress test, the last frontier."""
    from .solve_page import map_figure

    out: list[tuple[str, Any]] = []
    if session.plan is not None:
        out.append(("Map of the current design (flows in units of each product)",
                    map_figure(session, session.plan)))
    table = premium_frame(session)
    if table is not None and len(table) > 1:
        out.append(("Premium per scenario", premium_bars(table)))
    if session.stress is not None:
        out += [(f"Demand served per failure: {p}", served_heatmap(session.stress, p))
                for p in session.stress.products]
    if session.frontier is not None:
        field, df = session.frontier
        out.append((f"Frontier of {field}", frontier_figure(df, field)))
    return out


def figures_html(session: Session) -> Path:
    """The figures of :func:`figures` on one HTML page that works offline (plotly.js inside)."""
    import html

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>resilient_sc figures</title></head>"
             "<body style='font-family:sans-serif'><h1>resilient_sc: figures of the session</h1>"]
    for i, (title, fig) in enumerate(figures(session)):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(fig.to_html(full_html=False, include_plotlyjs=i == 0))
    parts.append("</body></html>")
    path = session.workdir / "figures.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def build(session: Session) -> None:
    """The export panel."""
    from nicegui import run, ui

    def download() -> None:
        if session.plan is None:
            ui.notify("solve a policy first (step 3)")
            return
        ui.download.file(plan_workbook(session), "plan.xlsx")

    async def report() -> None:
        if session.base_scenario() is None:
            ui.notify("solve a policy first (step 3): the report compares the scenarios")
            return
        ui.notify("writing the report (figures take a few seconds)…")
        path = await run.io_bound(report_zip, session)
        ui.download.file(path, path.name)

    def pictures() -> None:
        if session.plan is None:
            ui.notify("solve a policy first (step 3)")
            return
        ui.download.file(figures_html(session), "figures.html")

    ui.label("The plan workbook: summary, cost breakdown, suppliers, hubs, flows, shares; the premium "
             "table of the scenarios and the last stress test when there are some.")
    ui.button("Download the plan workbook", icon="download", on_click=download).props("data-testid=export")
    ui.label("The premium report of the scenarios: premium.csv, the stress tests run on each design, PNG "
             "figures (premium chart, served heatmap and map per scenario) and report.md, zipped.")
    ui.button("Download the premium report (.zip)", icon="folder_zip", on_click=report).props(
        "data-testid=export-report")
    ui.label("The figures of this session (map, premium bars, served heatmaps, frontier) on one "
             "interactive HTML page that works offline.")
    ui.button("Download the figures (.html)", icon="insert_chart", on_click=pictures).props(
        "data-testid=export-figures")
