"""Why a policy cannot be met, in a planner's terms, once the precheck
(:mod:`resilient_sc.model.precheck`) has passed and HiGHS proves the model infeasible.

:func:`explain_infeasibility` takes HiGHS's irreducible infeasible subset (IIS) of the LP
relaxation and :func:`explain_iis` turns it into sentences: the policy fields in conflict, the
markets and products, and the units needed against the units the data allow (shares and caps
market by market in closed form, :mod:`.shares`; CO2 caps, hub counts and N-1 survival by small
LPs and a hub cover, :mod:`.capacity`), with the rows themselves only in a last detail line for
experts.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model.precheck import MAX_REASONS, number
from ..model.table import Table
from ..solvers.highs import pass_matrix
from .capacity import (
    explain_co2,
    explain_hubs,
    explain_survive,
    fewest_hubs,
    single_source_fit,
    single_source_packing,
)
from .lp import (
    DEADLINE,
    OutOfTime,
    demand_total,
    family_rows,
    solve_lp,
    timed_highs,
    unrelated_rows,
    with_copies,
)
from .shares import explain_shares_together, market_conflicts, single_source_shares
from .words import (
    SHARES,
    TOL,
    and_list,
    cannot_text,
    explain_plainly,
    field_of,
    field_text,
    labels_of,
    policy_fields,
    quantity_of,
    units_of,
)

if TYPE_CHECKING:
    from ..model.build import NetworkModel

#: the reason given when the time limit ends the explanation
OUT_OF_TIME = ("no plan meets the policy (HiGHS proves it), but the time limit ran out before the reasons "
               "were found: raise SolveOptions.time_limit (CLI: --time-limit), or solve without one, to see "
               "which requirements conflict")


def explain_infeasibility(model: NetworkModel, deadline: float = math.inf) -> list[str]:
    """Reasons why ``model`` has no feasible plan, in a planner's terms, by ``deadline`` (a
    ``time.perf_counter()`` time: then :data:`OUT_OF_TIME`).

    Conditions in closed form first (a market bigger than every hub under single_sourcing, the
    hubs max_hubs and survive hub leave, a co2_cap below the least emissions); else HiGHS's
    irreducible infeasible subset (IIS) of the LP relaxation names the rows in conflict, and
    :func:`explain_iis` turns them into sentences with the quantities involved, ending with the
    rows themselves as a detail line for experts.
    """
    token = DEADLINE.set(deadline)
    try:
        return _explained(model)
    except OutOfTime:
        return [OUT_OF_TIME]
    finally:
        DEADLINE.reset(token)


def _explained(model: NetworkModel) -> list[str]:
    import highspy

    quick = single_source_fit(model) or fewest_hubs(model)  # no LP: seconds before an IIS of minutes
    if not quick and "co2_cap" in model.lm.constraints:
        quick = explain_co2(model, _every_field(model))
    if quick:
        return quick
    whole = with_copies(model)  # explained with every failure's copy
    if whole is None:
        return [f"no plan survives every failure of survive {list(model.policy.survive)} "
                f"({len(model.deferred.names):,} failures): too many to hold at once to name the rows "
                "in conflict; solve with fewer kinds of failure or a lower service_level to see "
                "which failures bind"]
    model = whole
    lp = timed_highs()
    pass_matrix(lp, model.lm.matrix(by_column=True), model.lm.objective(), *model.lm.bounds())
    lp.setOptionValue("iis_strategy", 2)  # from the LP solve; the light default often finds none
    n = model.lm.n_cols
    lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                             np.zeros(n, dtype=np.uint8))
    policy_rows = family_rows(model, [f for f in model.lm.constraints if field_of(f) is not None])
    if len(policy_rows) and data_short(model, policy_rows):  # the conflict is the data's: never blame
        k = len(policy_rows)                                  # the policy that happens to share its rows
        lp.changeRowsBounds(k, policy_rows.astype(np.int32), np.full(k, -np.inf), np.full(k, np.inf))
    lp.run()
    if time.perf_counter() >= DEADLINE.get():
        raise OutOfTime
    if lp.getModelStatus() != highspy.HighsModelStatus.kInfeasible:  # whole numbers decide
        return explain_whole(model)
    _, iis = lp.getIis()
    if time.perf_counter() >= DEADLINE.get():
        raise OutOfTime
    rows = list(iis.row_index_)
    if not rows:
        return ["no plan meets the data and policy (HiGHS proves it but names no conflicting "
                "requirements)"]
    return explain_iis(model, iis_rows(model, rows))


def explain_whole(model: NetworkModel) -> list[str]:
    """Why no plan meets the policy when its LP relaxation has one: whole-number decisions
    (suppliers contracted, hubs opened, markets assigned to one hub) decide. A market bigger
    than any hub, too few hubs to reach the markets, a CO2 cap or a hub count against what whole
    hubs and suppliers allow (the bounds of :func:`.lp.least_whole`); else every field named."""
    lines = single_source_fit(model) or fewest_hubs(model)
    every = _every_field(model)
    if not lines:
        lines = single_source_shares(model)
    if not lines and "assign_capacity" in every:
        lines = single_source_packing(model)
    if not lines and "co2_cap" in every:
        lines = explain_co2(model, every)
    if not lines and "hub_count" in every:
        lines = explain_hubs(model, every)
    if lines:
        return lines
    p = model.policy
    fields = [field_text(p, f) for f in policy_fields(every)] or ["the policy"]  # (a field is set)
    parts = ["suppliers contracted", "hubs opened"] + (["markets assigned to hubs"] if p.single_sourcing
                                                       else [])
    return [f"{cannot_text(fields)}: "
            f"{'they' if len(fields) > 1 else 'it'} would with {and_list(parts)} in part, so the conflict "
            f"lies in these whole-unit decisions; to resolve it: relax "
            + ("one of the fields named" if len(fields) > 1 else "it")]


def _every_field(model: NetworkModel) -> dict[str, pd.DataFrame]:
    """Every policy field of ``model`` as if in the conflict, with no rows named: none is left out
    of the bounds an explanation computes."""
    return {f: pd.DataFrame({"_row": np.zeros(0, np.int64)}) for f in model.lm.constraints
            if field_of(f) is not None}


def data_short(model: NetworkModel, policy_rows: np.ndarray) -> bool:
    """Whether the data alone leave demand short: the LP relaxation without ``policy_rows`` (every
    row of a policy field), demand allowed to go short, still leaves some. No plan then meets
    the data, whatever the policy."""
    result = solve_lp(model, free=policy_rows, elastic=family_rows(model, ["demand"]))
    return result is None or result[0] > demand_total(model) * TOL


def iis_rows(model: NetworkModel, rows: list[int] | np.ndarray) -> dict[str, pd.DataFrame]:
    """The rows ``rows`` (global row numbers) by constraint family: each family's row labels
    (market, product, ...) and ``_row``, the global row number, in row order."""
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    out: dict[str, pd.DataFrame] = {}
    for b in model.lm.constraints.values():
        mine = rows[(rows >= b.start) & (rows < b.start + b.size)]
        if len(mine):
            local = mine - b.start
            labels = (b.labels.frame(local) if isinstance(b.labels, Table)
                      else b.index.iloc[local].reset_index(drop=True))
            out[b.name] = labels.assign(_row=mine)
    return out


def explain_iis(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Planner's sentences for a set of rows in conflict (family -> labels and ``_row``, as
    from :func:`iis_rows`): which policy fields, which markets and products, and the units
    needed against the units the data and the rest of the policy allow; the last line lists
    the rows for experts.

    Each quantity is derived from the data: shares and caps market by market in closed form;
    a CO2 cap, hub counts and N-1 survival by small linear programs over the model, whose
    bounds are valid for every plan (an LP bound never promises more than a plan can do).
    """
    families = set(iis)
    lines: list[str] = []
    if families & set(SHARES):
        lines = market_conflicts(model, iis)
    if not lines and "co2_cap" in families:
        lines = explain_co2(model, iis)
    if not lines and any(f.startswith("survive_") for f in families):
        lines = explain_survive(model, iis)
    if not lines and "hub_count" in families:
        lines = explain_hubs(model, iis)
    if not lines and families & set(SHARES):
        lines = explain_shares_together(model, iis)
    if not lines:
        lines = explain_plainly(model, iis, undelivered(model, iis))
    return [*lines, *summarise_iis({f: labels_of(df) for f, df in iis.items()})]


def undelivered(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> str:
    """``at least N of the M units of p markets want cannot be delivered``, LP bounds valid for
    every plan (demand allowed to go short, the policy fields outside the conflict left out):
    one per product that cannot be delivered whatever the others get (quantities of products
    counted in different units are never added), then the bound on all products together, as
    hub capacity counts their units, where it is more than those add up to (products sharing a
    hub's capacity: 9, 6 and 29 of three products, 96 together); '' when letting demand go
    short does not resolve the conflict."""
    free = unrelated_rows(model, iis)
    rows = family_rows(model, ["demand"])
    result = solve_lp(model, free=free, elastic=rows)
    total = demand_total(model)
    if result is None or result[0] <= total * TOL:
        return ""
    demand = model.lm.constraints["demand"].index
    products = list(dict.fromkeys(demand["product"]))
    together = (f"at least {number(result[0])} of the {number(total)} {units_of(products, model.network)} "
                "markets want "
                "cannot be delivered")
    said, apart = [], 0.0
    for p in products if len(products) > 1 else []:  # the others free: p's shortfall whatever they get
        own = (demand["product"] == p).to_numpy()
        need = float(model.sets.demand_table["demand"][own].sum())
        alone = solve_lp(model, free=np.concatenate([free, rows[~own]]), elastic=rows[own])
        if alone is not None and alone[0] > need * TOL:
            said.append(f"at least {number(alone[0])} of the {number(need)} {quantity_of(model.network, p)} "
                        "markets want "
                        "cannot be delivered")
            apart += alone[0]
    if said and result[0] > apart + total * TOL:  # shared capacity: more short together
        said.append(f"and of all {len(products)} products together at least {number(result[0])} of their "
                    f"{number(total)} units (each product's units summed)")
    return "; ".join(said) if said else together


def summarise_iis(by_family: dict[str, list[str]]) -> list[str]:
    """The detail line for experts: the model rows in conflict by family (labels as
    ``market/product/...``), after the planner's sentences."""
    parts = []
    for family, labels in by_family.items():
        shown = ", ".join(lab for lab in labels[:MAX_REASONS] if lab)
        more = f" and {len(labels) - MAX_REASONS} more" if len(labels) > MAX_REASONS else ""
        parts.append(family + (f" ({shown}{more})" if shown else ""))
    return ["detail for experts, the model rows HiGHS finds in conflict (IIS of the LP relaxation): "
            + "; ".join(parts)]
