"""Step 5, export: the plan workbook (:func:`resilient_sc.workbook.write_workbook`: the plan of
the current design, the premium table of the scenarios, the last stress test), written in the
session's temporary folder and handed to the browser as a download.

>>> from resilient_sc import solve
>>> from .state import Session
>>> s = Session.example()
>>> s.plan = solve(s.network)
>>> plan_workbook(s).name
'plan.xlsx'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..workbook import write_workbook
from .compare_page import premium_frame

if TYPE_CHECKING:
    from .state import Session


def plan_workbook(session: Session) -> Path:
    """The plan workbook of the session (ValueError when nothing is solved yet)."""
    table = premium_frame(session) if len(session.scenarios) > 1 else None
    return write_workbook(session.workdir / "plan.xlsx", session.plan, premium_table=table,
                          stress=session.stress)


def build(session: Session) -> None:
    """The export panel."""
    from nicegui import ui

    def download() -> None:
        if session.plan is None:
            ui.notify("solve a policy first (step 3)")
            return
        ui.download.file(plan_workbook(session), "plan.xlsx")

    ui.label("The plan workbook: summary, cost breakdown, suppliers, hubs, flows, shares; the premium "
             "table of the scenarios and the last stress test when there are some.")
    ui.button("Download the plan workbook", icon="download", on_click=download).props("data-testid=export")
