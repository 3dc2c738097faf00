"""Step 5, export: the plan workbook (:func:`resilient_sc.workbook.write_workbook`: the plan of
the current design, the premium table of the scenarios, the last stress test; for a roadmap
the roadmap's sheets and the premium table of the paths), the premium report folder of the
scenarios (:func:`resilient_sc.analysis.report.write_premium_report`: CSV tables, PNG figures,
``report.md``; for roadmaps
:func:`~resilient_sc.analysis.roadmap_report.write_roadmap_premium_report`) as a zip, and the
app's interactive figures as one offline HTML page; each written in the session's temporary
folder and handed to the browser as a download.

>>> from resilient_sc import solve
>>> from .state import Session
>>> s = Session.example()
>>> s.plan = solve(s.network)
>>> plan_workbook(s).name
'plan.xlsx'
"""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.report import write_premium_report
from ..analysis.report_kit import describe
from ..analysis.roadmap_report import write_roadmap_premium_report
from ..format import file_size
from ..io import atomic_path
from ..workbook import write_workbook
from . import access
from .compare_page import (
    any_frontier_figure,
    frontier_table,
    outcomes,
    path_outcomes,
    premium_bars,
    premium_frame,
    reference_words,
    served_shares_where,
)
from .stress_view import served_heatmap, shown_period

if TYPE_CHECKING:
    from ..policy import Policy
    from .state import Session

#: the folder name inside the report zip
REPORT = "premium-report"


def plan_workbook(session: Session) -> Path:
    """The plan workbook of the session (ValueError when nothing is solved yet); of a roadmap
    ``roadmap.xlsx``: the roadmap's sheets (:func:`~resilient_sc.workbook.roadmap_sheets`), the
    premium table of the paths and the last stress test of the roadmap's designs."""
    table = premium_frame(session) if len(session.scenarios) > 1 else None
    if session.roadmap is not None:
        return write_workbook(session.workdir / "roadmap.xlsx", roadmap=session.roadmap, premium_table=table,
                              stress=session.stress)
    return write_workbook(session.workdir / "plan.xlsx", session.plan, premium_table=table,
                          stress=session.stress)


def report_zip(session: Session) -> Path:
    """The premium report of the session's scenarios (each with its stress test when one was
    run) zipped as ``premium-report/…``; of roadmaps the report of the paths against the
    cost-optimal path; ValueError when no scenario (or no cost-optimal path) is solved yet."""
    folder = session.workdir / REPORT
    shutil.rmtree(folder, ignore_errors=True)  # the app's own, of the last export: gone without a warning
    if session.is_roadmap:
        paths = path_outcomes(session)
        if not paths:
            raise ValueError("solve a policy first: the report compares the paths")
        written = write_roadmap_premium_report(folder, session.network, paths, premium_frame(session),
                                               force=True)
    else:
        found = outcomes(session)
        if not found:
            raise ValueError("solve a policy first: the report compares the scenarios")
        written = write_premium_report(folder, session.network, found, premium_frame(session), force=True)
    path = session.workdir / f"{REPORT}.zip"
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(written):
            zf.write(file, f"{REPORT}/{file.relative_to(folder).as_posix()}")
    return path


def _policy_words(policy: Policy) -> str:
    """The policy a design was solved for, in a figure's title: read alone, the page said neither."""
    return f"under {describe(policy)}" if policy.to_dict() else "under no resilience policy (cost-optimal)"


#: the exported figures' toolbar: no Plotly Cloud button (the export is offline and the planner's),
#: no logo link, no lasso or box selection (a mouse's drag modes, nothing to select)
EXPORT_CONFIG = {"displaylogo": False,
                 "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "lasso2d", "select2d"]}


def figures(session: Session) -> list[tuple[str, Any]]:
    """The app's figures of the session, each titled with what it is conditional on (the policy
    of its design, the failure, the policy a frontier sweeps over): the map of the current plan,
    the premium bars, the served heatmap of each product of the last stress test, the last
    frontier."""
    return [(title, fig) for title, fig, _ in _figures(session)]


def _figures(session: Session) -> list[tuple[str, Any, str | tuple[dict[str, str], list[dict[str, Any]]]]]:
    """:func:`figures`, each with where its numbers are as text (a table of them, for the frontier,
    which no download holds)."""
    from .plan_view import map_figure
    from .roadmap_view import TIMELINE_WORDS, timeline_figure

    out: list[tuple[str, Any, str | tuple[dict[str, str], list[dict[str, Any]]]]] = []
    book = f"the plan workbook, {'roadmap.xlsx' if session.roadmap is not None else 'plan.xlsx'} (step 5)"
    design = ""  # the design the stress test replays failures on, in words
    if session.plan is not None:
        design = f"the current design {_policy_words(session.plan.policy)}"
        out.append((f"Map of {design}: flows in each product's own unit", map_figure(session, session.plan),
                    f"each supplier, hub and flow is in the sheets suppliers_contracted, hubs_opened, "
                    f"inbound_flows and outbound_flows of {book}"))
    if session.roadmap is not None:
        path = f"the path {_policy_words(session.roadmap.policy)}"
        out.append((f"Roadmap: suppliers and hubs per period, {path}. {TIMELINE_WORDS}",
                    timeline_figure(session.roadmap), f"each period's suppliers and hubs are in the sheets "
                    f"roadmap_timeline and roadmap_design of {book}"))
        if session.period in session.roadmap.plans:
            out.append((f"Map of period {session.period} of {path}: flows in each product's own unit",
                        map_figure(session, session.roadmap.plans[session.period]),
                        f"each period's flows are in the sheets inbound_flows and outbound_flows of {book}"))
    table = premium_frame(session)
    if table is not None and len(table) > 1:
        out.append(("Premium per scenario", premium_bars(table, reference_words(session)),
                    f"the premiums are in the sheet premium of {book}"))
    per_period = isinstance(session.stress, dict)  # a roadmap's: the stress test of the period its page shows
    period = shown_period(session, session.stress)[0] if per_period and session.stress else ""
    stress = session.stress.get(period) if per_period else session.stress
    if stress is not None:
        assert session.roadmap is not None or design  # a stress test replays the design shown
        of = (f"the design of period {period} of the path {_policy_words(session.roadmap.policy)}"
              if per_period and session.roadmap is not None else design)
        out += [(f"Demand served per failure of {of} (each failure alone, flows re-routed): {p}",
                 served_heatmap(stress, p), served_shares_where(session)) for p in stress.products]
    if session.frontier is not None:
        field, df, over = session.frontier
        out.append((f"Frontier of {field}: {over}", any_frontier_figure(df, field),
                    frontier_table(df, field, session.is_roadmap)))
    return out


def figures_html(session: Session) -> Path:
    """The figures of :func:`figures` on one HTML page that works offline (plotly.js inside)."""
    import html

    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>resilient_sc figures"
             "</title><style>td, th { padding: 2px 12px; text-align: right; }</style></head>"
             "<body style='font-family:sans-serif'><main><h1>resilient_sc: figures of the "
             "session</h1>"]
    for i, (title, fig, numbers) in enumerate(_figures(session)):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(fig.to_html(full_html=False, include_plotlyjs=i == 0, config=EXPORT_CONFIG))
        if isinstance(numbers, str):  # the numbers as text (WCAG 1.1.1): the page had no text alternative
            parts.append(f"<p>The numbers: {html.escape(numbers)}.</p>")
        else:  # the frontier's, as the page's table shows them
            labels, rows = numbers
            parts.append("<table><thead><tr>" + "".join(f"<th scope='col'>{html.escape(t)}</th>"
                                                        for t in labels.values()) + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in labels) + "</tr>"
                      for r in rows]
            parts.append("</tbody></table>")
    parts.append("</main></body></html>")
    path = session.workdir / "figures.html"
    with atomic_path(path) as tmp:  # whole or not at all (a full disk left 0 bytes)
        tmp.write_text("\n".join(parts), encoding="utf-8")
    return path


def build(session: Session) -> None:
    """The export panel."""
    from nicegui import run, ui

    def failed(what: str, exc: OSError) -> None:
        """A file the server could not write: said, where the click did nothing at all (a full disk)."""
        ui.notify(f"the server could not write the {what} ({exc.strerror or exc}: its disk may be full); "
                  "nothing was downloaded: try again later, or tell whoever runs the app",
                  type="negative", multi_line=True)

    def download() -> None:
        if session.plan is None and session.roadmap is None:
            ui.notify(f"{session.no_plan()}: the workbook needs a plan; solve a policy (step 3)")
            return
        try:
            path = plan_workbook(session)
        except OSError as exc:
            failed("plan workbook", exc)
            return
        ui.download.file(path, path.name)

    async def report() -> None:
        if session.base_scenario() is None:
            ui.notify("solve a policy first (step 3): the report compares the scenarios")
            return
        report_button.disable()  # one at a time: two would write the same folder
        n = len(session.scenarios)
        doing = (f"writing the report of {n} {'path' if session.is_roadmap else 'scenario'}{'s' * (n != 1)}: "
                 "its figures take a few seconds each")  # 20 took 65 s behind a 5-second toast (scale audit)
        began = time.perf_counter()
        ui.notify(f"{doing}…")  # said once (a notification is an alert); the line beside the button ticks
        writing.set_text(f"{doing}…")  # its seconds silently (a screen reader read each)
        writing.props["aria-live"] = "off"
        ticking = ui.timer(1.0, lambda: writing.set_text(f"{doing}… {time.perf_counter() - began:.0f} s"))
        try:
            path = await run.io_bound(report_zip, session)
        except OSError as exc:
            failed("premium report", exc)
            return
        finally:
            ticking.cancel()
            writing.set_text("")  # (any error: not left at its last second)
            writing.props["aria-live"] = "polite"
            report_button.enable()
        size = file_size(path.stat().st_size)
        writing.set_text(f"report written in {time.perf_counter() - began:.0f} s ({size}), downloading")
        ui.download.file(path, path.name)

    def pictures() -> None:
        if session.plan is None and session.roadmap is None:
            ui.notify(f"{session.no_plan()}: the figures need a plan; solve a policy (step 3)")
            return
        try:
            path = figures_html(session)
        except OSError as exc:
            failed("figures page", exc)
            return
        ui.download.file(path, "figures.html")

    ui.label("The plan workbook: summary, cost breakdown, suppliers, hubs, flows, shares; the premium "
             "table of the scenarios and the last stress test when there are some. Of a roadmap "
             "(roadmap.xlsx): the summary with the total Σ weight × period cost, the roadmap table, the "
             "costs and timeline per period, each plan sheet with a period column, the premium table "
             "of the paths and the last stress test of the periods' designs.")
    ui.button("Download the plan workbook", icon="download", on_click=download).props("data-testid=export")
    ui.label("The premium report of the scenarios: premium.csv, the stress tests run on each design, PNG "
             "figures (premium chart, served heatmap and map per scenario) and report.md, zipped. Of "
             "roadmaps: premium.csv and premium_paths.csv (each path per period), the premium chart, "
             "each path's roadmap figure and report.md.")
    with ui.row().classes("items-center"):
        report_button = ui.button("Download the premium report (.zip)", icon="folder_zip",
                                  on_click=report).props("data-testid=export-report")
        writing = access.status(ui.label().props("data-testid=report-status"))
    ui.label("The figures of this session (map, premium bars, served heatmaps, frontier; of a roadmap its "
             "timeline and the map of the period shown) on one interactive HTML page that works offline.")
    ui.button("Download the figures (.html)", icon="insert_chart", on_click=pictures).props(
        "data-testid=export-figures")
