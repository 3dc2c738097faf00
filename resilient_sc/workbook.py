"""The plan workbook a planner can hand on: summary, suppliers, hubs, flows, shares, and
optionally the premium table, stress-test failures and a frontier, one sheet each.

Sheets have a bold frozen header with filters, fitted column widths, money and quantities
with thousands separators and fractions as percentages (:func:`resilient_sc.io.write_excel`);
the summary's shares are percentages too. Text a spreadsheet would run as a formula (an id
such as ``=HYPERLINK(...)``) is a quote-prefixed text cell, never a formula.

Products have their own units (pumps are not kits), so quantities are never added across
products: supplier volumes, hub throughputs and the summary's demand, deliveries and
shortfalls have one figure per product, headed ``... (<unit> of <product>)``, and shares are
per product too. The one exception is a hub's throughput against its capacity, which the
data contract counts in units of all products together; its headers say so
(:func:`~resilient_sc.output_words.hub_totals`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import io, output_paths
from .analysis.stress import StressResult
from .escaping import as_json
from .exceptions import ValidationError, check_path, check_switch
from .format import output_float
from .output_words import (
    PLAN_FILES,
    PREMIUM_TABLE,
    STRESS_ROWS,
    frontier_words,
    is_path_table,
    path_frontier_words,
    path_premium_words,
    prices_words,
    stress_failures_words,
)
from .policy import POLICY_FIELDS
from .result_folders import TIMED_COLUMNS, written_by
from .results import (
    NETWORK_ITEM,
    Plan,
    is_quantity,
    network_beside,
    network_cost,
    plan_products,
    unit,
    units_words,
)
from .roadmap import Roadmap
from .sheet_format import PERCENT_WORDS, decimal_format, percent_format
from .wording import brief

#: headers longer than this many characters are wrapped in a column this wide
WRAP = 36
#: the first lines of a result workbook's README sheet: how its numbers read
README_LINES = (
    "Money is in the data's currency; quantities are in units of their product (the products table's "
    "`unit`), never added across products but for a hub's throughput and capacity; emissions in the "
    "data's CO2 units.",
    "Fractions (shares, served, utilisation, gap) are from 0 to 1, shown as percentages; columns "
    "ending in _pct are percentages themselves (2.63 is 2.63%).")
#: the Excel format of a plan's relative gap (:func:`resilient_sc.format.relative_gap` in text)
GAP_FORMAT = "0.0000%"
#: what the summary sheet of a plan and of a roadmap holds
PLAN_SUMMARY = ("item and value: status, total cost (money), bound and gap, a note where the plan was not "
                "certified or was read back from a pyomo model, the suppliers and hubs, "
                "demand, delivered and shortfall per product (units of that product), shares per product "
                "and of all products weighted by value (fractions), emissions (CO2 units), each cost "
                "component (money), the policy and the data")
ROADMAP_SUMMARY = ("item and value: status, total cost (Σ weight × each period's cost, money), bound and "
                   "gap, the periods and each period's cost (money, unweighted; its weight beside), the "
                   "policy and the data")

#: policy fields holding fractions of demand (shares, service level), shown as percentages (the
#: field's unit, not its type: shortfall_penalty, money per unit short, shares the type Share)
POLICY_FRACTIONS = frozenset(name for name, f in POLICY_FIELDS.items() if f.unit == "fraction of demand")


def _cell(value: Any) -> Any:
    """A summary value as one spreadsheet cell: numbers stay numbers, the rest becomes text."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else ""
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    if isinstance(value, Mapping | list | tuple):
        return as_json(value)
    return str(value)


def product_totals(plan: Plan, products: list[str]) -> pd.DataFrame:
    """Per product: demand, delivered and shortfall (units of the product, as
    :meth:`Plan.delivery <resilient_sc.results.Plan.delivery>` counts them) and the local and
    allied shares of its demand (fractions, weighted by the demand of each market; NaN, a blank
    cell, without demand)."""
    s = plan.shares
    totals = plan.delivery().set_index("product")[["demand", "delivered", "shortfall"]]
    weighted = s[["local_share", "allied_share"]].mul(s["demand"], axis=0).groupby(s["product"]).sum()
    totals = totals.reindex(products).fillna(0.0)
    return totals.join(weighted.reindex(products).div(totals["demand"].where(totals["demand"] > 0), axis=0))


def analysis_words(sheets: Mapping[str, pd.DataFrame], stress: Any, paths: str = "") -> dict[str, str]:
    """What each sheet of an analysis holds, in what units: of the ``stress`` given (a
    StressResult, a roadmap's mapping of period to StressResult, or a failures table) its
    worst_served as it is (guaranteed, or least served at the penalties given), per period for
    a roadmap's, and the prices of its shortfall costs; a frontier's worst_served where it has
    one; ``paths``: how the shares of a table of roadmap paths are weighted (a premium or
    frontier table of paths, :func:`~.output_words.is_path_table`, is said so without it: its
    README promised a one-period table's columns: output audit)."""
    results = list(stress.values()) if isinstance(stress, Mapping) else [stress]
    priced = {p: r for p, r in (stress.items() if isinstance(stress, Mapping) else [("", stress)])
              if hasattr(r, "penalties")}
    prices = "; ".join(f"{p + ': ' if p else ''}{prices_words(r)}" for p, r in priced.items())
    prices = f"; shortfall costs at {prices}" if prices else ""
    floor = next((r.floor_name for r in results if hasattr(r, "floor_name")),  # a bare table: either
                 "guaranteed at the default penalties, least served at penalties given")
    per = "per period and failure" if isinstance(stress, Mapping) else "one row per failure"
    failures = sheets.get("stress_failures", pd.DataFrame())
    served = (", served <product> (the fraction of each product's demand served under it)"
              if any(str(c).startswith("served ") for c in failures.columns) else "")
    frontier = sheets.get("frontier", pd.DataFrame())
    return {
        "premium": path_premium_words(paths) if paths or is_path_table(sheets.get("premium", pd.DataFrame()))
        else PREMIUM_TABLE,
        "stress_summary": f"per period: failures replayed and hurt, worst_served ({floor}; fraction), the "
                          "worst failure, market and product, expected_value_served (fraction), "
                          "expected_shortfall_cost and expected_extra_cost (money), conditional as "
                          f"conditional_on says{prices}",
        "stress_failures": f"{per}: {stress_failures_words(floor)}{served}{prices}",
        **{f"stress_{k}": f"{'per period, failure' if isinstance(stress, Mapping) else 'per failure'}{v}"
           for k, v in STRESS_ROWS.items()},
        # the workbook keeps the rows left short (the report's CSV has every market and product)
        "stress_shortfalls": f"{'per period, failure' if isinstance(stress, Mapping) else 'per failure'}, "
                             "market and product left short (only those): demand, shortfall (units), "
                             "served (fraction)",
        "frontier": path_frontier_words(paths) if is_path_table(frontier) else frontier_words(
            ", worst_served (fraction, 0-1: under the worst failure replayed)"
            if frontier.get("worst_served", pd.Series()).notna().any() else ""),
        "timings": "the seconds of each step: the one sheet that differs between two runs of the same inputs",
    }


def summary_table(plan: Plan) -> pd.DataFrame:
    """Item/value rows: status, cost, gap, demand and shares per product, every cost component
    and the policy. Gap and shares are fractions (the workbook shows them as percentages);
    quantities are per product, in ``<unit> of <product>`` (:meth:`Plan.unit_of`)."""
    source = plan.model.network.source if plan.model is not None else ""
    totals = product_totals(plan, plan_products(plan))
    rows: list[tuple[str, Any]] = [
        ("status", plan.status.value),
        ("total cost", plan.objective),
        *([(NETWORK_ITEM, n)] if (n := network_beside(plan.objective, network_cost(plan))) is not None
          else []),
        ("bound", plan.bound),
        ("gap", plan.gap),
        *([("note", f"this plan was {plan.caveat}")] if plan.caveat else []),
        ("suppliers contracted", len(plan.suppliers)),
        ("hubs opened", len(plan.hubs)),
    ]
    for p, t in totals.iterrows():
        u = unit(str(p), plan.unit_of(str(p)))
        rows += [(f"demand ({u})", float(t["demand"])),
                 (f"delivered ({u})", float(t["delivered"])),
                 (f"shortfall ({u})", float(t["shortfall"])),
                 (f"local share ({p})", float(t["local_share"])),
                 (f"allied share ({p})", float(t["allied_share"]))]
    weighting = plan.share_weighting()  # of all products, as the plan's summary says it
    rows += [
        (f"local share (all products, {weighting})", plan.overall_share("local_share")),
        (f"allied share (all products, {weighting})", plan.overall_share("allied_share")),
        ("emissions (CO2 units)", plan.emissions),
        *((f"cost: {k}", float(v)) for k, v in plan.breakdown.items()),
    ]
    policy = plan.policy.to_dict()
    rows += [(f"policy: {k}", v) for k, v in policy.items()] or [("policy", "none (cost-optimal base)")]
    rows += [("data", source)]  # its seconds: the workbook's timings sheet
    return pd.DataFrame({"item": [r[0] for r in rows], "value": [_cell(r[1]) for r in rows]},
                        dtype=object)


def plan_sheets(plan: Plan) -> dict[str, pd.DataFrame]:
    """The sheets of a plan: ``summary`` and the tables of :meth:`Plan.tables` (CSV names,
    supplier volumes and hub throughputs per product)."""
    return {"summary": summary_table(plan), **plan.tables()}


def stress_sheets(stress: StressResult | pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``stress_failures`` (worst first) and, for a StressResult, ``stress_products`` (per failure
    and product: demand, shortfall in units of the product, served, shortfall cost; the report's
    stress_products.csv) and ``stress_shortfalls`` (the markets and products left short under
    each failure, in units of the product).

    A StressResult's failures come with the fraction served of each product
    (:meth:`~resilient_sc.analysis.StressResult.worst_table`); a bare failures table is
    sorted by its lowest guaranteed fraction served, then by impact."""
    if not isinstance(stress, pd.DataFrame):
        short = stress.shortfalls
        return {"stress_failures": stress.worst_table().reset_index(drop=True),
                "stress_products": stress.by_product.reset_index(drop=True),
                "stress_shortfalls": short.loc[short["shortfall"] > 1e-6].reset_index(drop=True)}
    keys = [(c, c != "impact") for c in ("worst_served", "impact") if c in stress]
    failures = stress.sort_values([c for c, _ in keys], ascending=[a for _, a in keys],
                                  kind="stable") if keys else stress
    return {"stress_failures": failures.reset_index(drop=True)}


def roadmap_stress_sheets(results: Mapping[str, StressResult]) -> dict[str, pd.DataFrame]:
    """The sheets of a roadmap's stress test (:func:`~resilient_sc.analysis.roadmap_stress`):
    ``stress_summary`` (a row per period), and :func:`stress_sheets` of each period's design
    stacked with a ``period`` column first (each failure replayed in its own period)."""
    from .analysis.roadmap import roadmap_stress_table

    sheets: dict[str, list[pd.DataFrame]] = {}
    for period, result in results.items():
        for name, frame in stress_sheets(result).items():
            sheets.setdefault(name, []).append(frame.assign(period=period))
    stacked = {name: pd.concat(frames, ignore_index=True) for name, frames in sheets.items()}
    return {"stress_summary": roadmap_stress_table(results),
            **{name: frame[["period", *frame.columns.drop("period")]] for name, frame in stacked.items()}}


def roadmap_sheets(roadmap: Roadmap) -> dict[str, pd.DataFrame]:
    """The sheets of a roadmap: ``summary`` (status, total cost = Σ weight × period cost, the
    periods, policy), ``roadmap`` (per period: cost, emissions, suppliers and hubs operating,
    started and stopped, shares) and the tables of
    :meth:`Roadmap.tables <resilient_sc.roadmap.Roadmap.tables>`, the CSV files of a roadmap
    folder (``roadmap_costs``, ``roadmap_design``, ``roadmap_timeline``, each plan table of the
    periods stacked with a ``period`` column first)."""
    rows: list[tuple[str, Any]] = [
        ("status", roadmap.status.value), ("total cost (Σ weight × period cost)", roadmap.objective),
        *([(NETWORK_ITEM, n)] if (n := network_beside(roadmap.objective, roadmap.network_cost())) is not None
          else []),
        ("bound", roadmap.bound), ("gap", roadmap.gap), ("periods", ", ".join(roadmap.period_ids)),
        *((f"period cost {p} (money, unweighted; weight {w:g})", float(c)) for p, w, c in
          zip(roadmap.costs["period"], roadmap.costs["weight"], roadmap.costs["total"], strict=True))]
    policy = roadmap.policy.to_dict()
    rows += [(f"policy: {k}", v) for k, v in policy.items()] or [("policy", "none (cost-optimal base)")]
    source = roadmap.model.network.source if roadmap.model is not None else ""
    rows += [("data", source)]  # its seconds: the workbook's timings sheet
    summary = pd.DataFrame({"item": [r[0] for r in rows], "value": [_cell(r[1]) for r in rows]}, dtype=object)
    return {"summary": summary, **roadmap.tables()}


def write_workbook(path: str | Path, plan: Plan | None = None, premium_table: pd.DataFrame | None = None,
                   stress: StressResult | pd.DataFrame | Mapping[str, StressResult] | None = None,
                   frontier: pd.DataFrame | None = None, roadmap: Roadmap | None = None,
                   force: bool = False) -> Path:
    """Write one ``.xlsx`` workbook, atomically, with the sheets of whatever is given (never over
    the data the plan or roadmap was solved from; over a workbook the library did not write as a
    result, by hand or data, only with ``force``: a ValidationError says why):

    * ``plan``: ``summary`` (status, cost, gap, demand and shares per product, cost
      components, policy), ``cost_breakdown``, ``suppliers_contracted`` (volume per
      product), ``hubs_opened`` (throughput per product, and of all products against the
      capacity), ``inbound_flows``, ``outbound_flows``, ``market_shares`` (local, allied and
      top foreign country per market and product), ``country_shares``, ``supplier_shares``;
    * ``premium_table`` (from :func:`resilient_sc.premium`): ``premium``;
    * ``stress`` (a :class:`~resilient_sc.analysis.StressResult` or its ``failures``):
      ``stress_failures`` (worst first; for a StressResult with the fraction served of each
      product) and ``stress_shortfalls``; a roadmap's (a mapping of period to StressResult):
      :func:`roadmap_stress_sheets`;
    * ``frontier`` (from :func:`resilient_sc.frontier`): ``frontier``;
    * ``roadmap`` (from :func:`resilient_sc.solve_roadmap`): :func:`roadmap_sheets`;
    * last, the seconds of every step and solve, ``timings`` (:func:`timings_apart`): two runs of
      the same inputs write the same other sheets;
    * first, ``README`` (:func:`readme_sheet`): what each sheet holds, in what units.
    """
    check_path("path", path, "the .xlsx file to write (write_workbook(path, plan=...))")
    path = Path(path)
    _check_workbook_arguments(path, plan, premium_table, stress, frontier, roadmap)
    check_switch("force", force, "replace a workbook the library did not write as a result")
    sources = {f"data the {what} was solved from": Path(r.data_location)  # a workbook's: a folder's
               for what, r in (("plan", plan), ("roadmap", roadmap))  # tables are no .xlsx
               if r is not None and r.data_location and Path(r.data_location).is_file()}
    problem = (output_paths.output_problem(path, sources, folder=False, force=force, flag="force=True")
               if path.is_file() else None)  # else atomic_path says what is wrong, as an OSError
    if problem is not None:
        raise ValidationError([f"(path) | {problem}"])
    sheets: dict[str, pd.DataFrame] = {}
    if plan is not None:
        sheets.update(plan_sheets(plan))
    if roadmap is not None:
        sheets.update(roadmap_sheets(roadmap))
    if premium_table is not None:
        sheets["premium"] = premium_table
    if isinstance(stress, Mapping):
        sheets.update(roadmap_stress_sheets(stress))
    elif stress is not None:
        sheets.update(stress_sheets(stress))
    if frontier is not None:
        sheets["frontier"] = frontier
    solved = plan if plan is not None else roadmap
    summary = ([] if solved is None else
               [("summary", "build time", solved.build_time), ("summary", "solve time", solved.solve_time)])
    sheets = timings_apart(sheets, summary)
    io.write_excel(path, {"README": readme_sheet(sheets, solved, stress), **sheets}, finish=_finish_plan_book,
                   results=True)
    return path


def readme_sheet(sheets: Mapping[str, pd.DataFrame], solved: Plan | Roadmap | None,
                 stress: Any = None) -> pd.DataFrame:
    """A result workbook's first sheet: how its numbers read (:data:`README_LINES`, each
    product's unit), what each of ``sheets`` holds, in what units (:func:`analysis_words` of the
    ``stress`` given), and the warnings of the data solved from (and of a roadmap's solve)."""
    from .roadmap import ROADMAP_FILES

    roadmap = isinstance(solved, Roadmap)
    files = ({**PLAN_FILES, **ROADMAP_FILES} if roadmap else  # a plan's disruption cost said (units audit)
             solved.file_words() if isinstance(solved, Plan) else PLAN_FILES)
    paths = solved.share_weighting() if isinstance(solved, Roadmap) else ""
    words = {**{name.removesuffix(".csv"): w for name, w in files.items()},
             **analysis_words(sheets, stress, paths), "summary": ROADMAP_SUMMARY if roadmap else PLAN_SUMMARY}
    units = "" if solved is None else units_words(
        solved.units() if isinstance(solved, Roadmap) else solved.units(plan_products(solved)))
    rows = [("", f"Written by {written_by()}."), *(("", line) for line in README_LINES)]
    rows += [("", f"Each product's unit: {units}.")] if units else []
    rows += [(name, words.get(name, "")) for name in sheets]
    # the data's warnings, printed only when it was read (a period of weight 0 planned at random)
    rows += [("warning of the data", w) for w in (solved.data_warnings if solved is not None else ())]
    rows += [("warning of the solve", w) for w in (solved.path_warnings if roadmap else ())]  # type: ignore[union-attr]
    return pd.DataFrame(rows, columns=["sheet", "what it holds"])


def timings_apart(sheets: Mapping[str, pd.DataFrame],
                  rows: list[tuple[str, str, float]] | None = None) -> dict[str, pd.DataFrame]:
    """``sheets`` with their seconds moved to a last sheet ``timings`` (sheet, what, seconds):
    ``rows`` (the summary's build and solve time) and the tables'
    :data:`~resilient_sc.result_folders.TIMED_COLUMNS`, by the row's first cell, so that two runs of the same
    inputs write the same results, as a result folder keeps them in ``timings.csv``."""
    out: dict[str, pd.DataFrame] = {}
    rows = list(rows or [])
    for name, df in sheets.items():
        for column in [c for c in TIMED_COLUMNS if c in df.columns]:
            rows += [(name, f"{df.columns[0]} {first}: {column}", seconds)
                     for first, seconds in zip(df.iloc[:, 0].astype(str), df[column], strict=True)]
            df = df.drop(columns=column)
        out[name] = df
    if rows:  # to the outputs' 12 digits (0.0782354179973, not 0.07823541799729999)
        out["timings"] = pd.DataFrame([(a, b, output_float(float(t))) for a, b, t in rows],
                                      columns=["sheet", "what", "seconds"])
    return out


def _check_workbook_arguments(path: Path, plan: Any, premium_table: Any, stress: Any, frontier: Any,
                              roadmap: Any) -> None:
    """One :class:`ValidationError` for whatever :func:`write_workbook` cannot write."""
    problems = [] if path.suffix.lower() == ".xlsx" else [
        f"(path) | {str(path)!r}: a workbook is written to a path ending in .xlsx"]
    kinds = {"plan": (plan, Plan, "a Plan from solve()"), "roadmap": (roadmap, Roadmap, "a Roadmap"),
             "premium_table": (premium_table, pd.DataFrame, "a DataFrame from premium()"),
             "frontier": (frontier, pd.DataFrame, "a DataFrame from frontier()")}
    for name, (value, kind, what) in kinds.items():
        if value is not None and not isinstance(value, kind):
            problems.append(f"({name}) | {brief(value)} is a {type(value).__name__}, not {what}")
    mapped = isinstance(stress, Mapping)  # a roadmap's: StressResults only (its summary needs them)
    results = stress.values() if mapped else [] if stress is None else [stress]
    if any(not isinstance(r, StressResult if mapped else StressResult | pd.DataFrame) for r in results):
        problems.append("(stress) | give a StressResult (or its failures DataFrame) from stress_test(), or a "
                        "roadmap's mapping of period to StressResult from roadmap_stress()")
    if all(v is None for v in (plan, premium_table, stress, frontier, roadmap)):
        problems.append("(write_workbook) | nothing to write: give a plan, a roadmap, a premium table, a "
                        "stress test or a frontier")
    if problems:
        raise ValidationError(problems)


def quantity_format(values: list[Any]) -> str:
    """:func:`~resilient_sc.sheet_format.decimal_format` of the numbers among ``values`` (as io formats
    quantities)."""
    return decimal_format([v for v in values if isinstance(v, int | float) and not isinstance(v, bool)])


def summary_format(item: str, value: Any) -> str | None:
    """The number format of a summary value: quantities with thousands separators, fractions
    (an item named like the fraction columns of the other sheets, or a share of the policy) as
    percentages; None for text and the rest (io's per-cell thousands separators apply)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if item == "gap":  # four decimals whatever its size, as the texts write it (4e-8 read 0.0%)
        return GAP_FORMAT
    if is_quantity(item):
        return quantity_format([value])
    name = item.removeprefix("policy: ")
    if name in POLICY_FRACTIONS or any(w in name for w in PERCENT_WORDS):
        return percent_format([value])
    return None


def _finish_plan_book(book: Any) -> None:
    """Percentages in the summary; per-product quantity columns as quantities whatever the
    product is called; gaps with four decimals; long headers wrapped; the README sheet's text
    wrapped; the creator a result's (:func:`io.is_result_workbook`)."""
    from openpyxl.styles import Alignment

    book.properties.creator = io.RESULT_CREATOR
    if "README" in book.sheetnames:  # sentences: one wide wrapped column, not a 60-character cut
        readme = book["README"]
        readme.column_dimensions["B"].width = 110
        for (cell,) in readme.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    if "summary" in book.sheetnames:
        for item, value in book["summary"].iter_rows(min_row=2, max_col=2):
            fmt = summary_format(str(item.value), value.value)
            if fmt is not None:
                value.number_format = fmt
    for ws in book:
        wrapped = 1
        for head in ws[1]:
            title = str(head.value)
            letter = head.column_letter
            if is_quantity(title) or title == "gap":  # a premium's or frontier's gaps as the summary's
                cells = [c for (c,) in ws.iter_rows(min_row=2, min_col=head.column, max_col=head.column)]
                fmt = GAP_FORMAT if title == "gap" else quantity_format([c.value for c in cells])
                for c in cells:
                    c.number_format = fmt
                if title == "gap":  # sized before its format: '0.0000%' showed as '####'
                    ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 11)
            if len(title) > WRAP:  # e.g. the all-products hub columns: wrap rather than truncate
                ws.column_dimensions[letter].width = WRAP
                head.alignment = Alignment(wrap_text=True, vertical="top")
                wrapped = max(wrapped, math.ceil(len(title) / (WRAP - 4)))
        if wrapped > 1:
            ws.row_dimensions[1].height = 15 * wrapped
