"""Step 4, compare: the tab's named scenarios against the base (the library's premium table)
and the stress test of the current design (:func:`resilient_sc.stress_test`, in a process of
its own) with its worst failures.

>>> from resilient_sc import Policy, solve
>>> from .state import Session
>>> s = Session.example()
>>> _ = s.add_scenario("base", Policy(), solve(s.network))
>>> _ = s.add_scenario("local", Policy(min_local_share=0.5), solve(s.network, Policy(min_local_share=0.5)))
>>> [(r["policy"], r["cost"], r["premium_pct"]) for r in premium_rows(s)]
[('base', '11,914,791', '0.00%'), ('local', '12,228,393', '2.63%')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.premium import PolicyOutcome, premium_table
from ..analysis.stress import stress_test
from ..format import column_formatter
from .jobs import Job

if TYPE_CHECKING:
    from ..analysis.stress import StressResult
    from .state import Session

#: the premium table's columns shown
PREMIUM_COLUMNS = ["policy", "status", "cost", "premium", "premium_pct", "local_share", "allied_share",
                   "n_suppliers", "n_hubs", "reason"]
#: the stress table's columns shown
FAILURE_COLUMNS = ["failure", "worst_served", "worst_market", "worst_product", "shortfall_cost", "impact"]


def premium_frame(session: Session) -> pd.DataFrame | None:
    """The library's premium table of the session's scenarios, the base first (None: no base)."""
    base = session.base_scenario()
    if base is None:
        return None
    order = [base, *(s for s in session.scenarios.values() if s is not base)]
    outcomes = [PolicyOutcome(s.name, s.policy, s.plan, None, s.reason,
                              "optimal" if s.plan is not None else "infeasible") for s in order]
    return premium_table(outcomes)


def _formatted(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in df]
    out = pd.DataFrame({c: df[c].map(column_formatter(c)) if c not in ("cost", "premium")
                        else df[c].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}") for c in cols})
    return out.fillna("").astype(str).to_dict("records")


def premium_rows(session: Session) -> list[dict[str, Any]]:
    df = premium_frame(session)
    return [] if df is None else _formatted(df, PREMIUM_COLUMNS)


def worst_failures(stress: StressResult, n: int = 10) -> pd.DataFrame:
    """The ``n`` failures that leave the least demand served (then the largest impact)."""
    return stress.failures.sort_values(["worst_served", "impact"], ascending=[True, False]).head(n)


def build(session: Session) -> Any:
    """The compare panel; returns a function that redraws the premium table."""
    from nicegui import run, ui

    def cols(names: list[str]) -> list[dict[str, str]]:
        return [{"name": c, "label": c, "field": c, "align": "left"} for c in names]

    @ui.refreshable
    def premiums() -> None:
        rows = premium_rows(session)
        if not rows:
            ui.label("Solve a policy (step 3) to start comparing: every solve is kept as a scenario.")
            return
        ui.table(columns=cols([c for c in PREMIUM_COLUMNS if c in rows[0]]), rows=rows,
                 title="Scenarios against the base").props("dense data-testid=premium-table").classes(
                     "w-full")

    async def stress() -> None:
        if session.plan is None:
            ui.notify("solve a policy first: the stress test replays failures on its design")
            return
        button.disable()
        status.text = "stress test running…"
        job = Job(stress_test, [session.network, session.plan])
        kind, out = await run.io_bound(job.wait)
        button.enable()
        status.text = f"stress test: {kind} in {job.elapsed:.1f} s"
        failures.clear()
        if kind != "ok":
            with failures:
                ui.label("\n".join(out) if isinstance(out, list) else str(out)).classes("text-red-700")
            return
        session.stress = out
        worst = worst_failures(out)
        with failures:
            ui.label(f"{len(out.failures)} failures replayed on the current design; the worst:")
            ui.table(columns=cols(FAILURE_COLUMNS), rows=_formatted(worst, FAILURE_COLUMNS)).props(
                "dense data-testid=stress-table").classes("w-full")

    premiums()
    with ui.row().classes("items-center"):
        button = ui.button("Stress test the current design", icon="bolt", on_click=stress).props(
            "data-testid=stress")
        status = ui.label()
    failures = ui.column().classes("w-full")
    return premiums.refresh
