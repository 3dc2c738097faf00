"""Analyses of restructuring roadmaps (docs/formulation.md §9): premiums of policy paths, the
end-year frontier, stress tests per period and the myopic path.

Every cost is the roadmap's objective, Σ_t weight_t · cost_t (money), where cost_t includes
the opening and closing costs of period t. A premium is measured against the cost-optimal path
over the same periods (§6, §9): ``premium = cost − base`` (money) and ``premium_pct =
100 · (cost − base) / base`` (% of the base path's cost).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import DataWarning, InfeasiblePolicyError, NotOptimalError, ValidationError, warn
from ..mapping_files import shown
from ..model.build import given_policy
from ..optimize import solve
from ..periods import has_periods, in_period, period_ids, policy_in, weights
from ..policies import BASE, check_policies, with_base
from ..policy import Policy
from ..results import NO_DEMAND, Plan
from ..roadmap import Roadmap, design_table, period_costs, solve_roadmap
from ..schema import STRESS_FAILURES
from ..solvers.base import SolveOptions, Status
from .frontier import values_to_sweep
from .parallel import Progress, check_parallel, run_all
from .premium import no_reference
from .replay import excess, premium_pct
from .stress import StressResult, failure_kinds, stress_test

#: the statuses an element keeps through a myopic path (docs/formulation.md §9)
FIXED = ("open", "closed")


@dataclass(frozen=True, eq=False)
class PathOutcome:
    """One policy path's roadmap (None when it has none) and why not."""

    name: str
    policy: Policy
    roadmap: Roadmap | None
    reason: str = ""
    status: str = "optimal"  # or "infeasible", "not_solved"


def solve_path(name: str, network: Network, policy: Policy,
               options: SolveOptions | None) -> PathOutcome:
    """Solve one policy path with :func:`~resilient_sc.roadmap.solve_roadmap` (a picklable unit
    of work): its roadmap, or the reason it has none."""
    try:
        return PathOutcome(name, policy, solve_roadmap(network, policy, options))
    except InfeasiblePolicyError as exc:
        return PathOutcome(name, policy, None, "\n".join(r.strip(" -") for r in exc.reasons),
                           "infeasible")
    except NotOptimalError as exc:
        return PathOutcome(name, policy, None, str(exc), "not_solved")


def path_columns(roadmap: Roadmap, base: Roadmap) -> dict[str, Any]:
    """The columns every comparison of paths shares: ``cost`` (Σ weight × period cost, money),
    ``premium`` (money over ``base``), ``premium_pct`` (% of base), ``network_cost`` and
    ``network_premium_pct`` (the same without shortfall and disruption-scenario cost,
    :meth:`~resilient_sc.roadmap.Roadmap.network_cost`; its premium in % of the base's cost),
    per period ``cost <period>`` (money, unweighted) and ``premium_pct <period>`` (% of the base
    path's cost in that period; NaN where it is 0), the suppliers and hubs started and stopped
    over the path (counts of element-periods; a restart counts again), and the last period's
    numbers of suppliers and hubs and shares (:meth:`Roadmap.shares`: fractions of demand,
    weighted as :meth:`Plan.share_weighting` says)."""
    cost, ref, network = roadmap.objective, base.objective, roadmap.network_cost()
    row: dict[str, Any] = {"cost": cost, "premium": excess(cost, ref), "premium_pct": premium_pct(cost, ref),
                           "network_cost": network,
                           "network_premium_pct": premium_pct(network, base.network_cost(), ref)}
    mine, theirs = roadmap.costs.set_index("period")["total"], base.costs.set_index("period")["total"]
    for period in roadmap.period_ids:
        c, b = float(mine[period]), float(theirs[period])
        row[f"cost {period}"] = c
        row[f"premium_pct {period}"] = premium_pct(c, b)
    d = roadmap.design
    for kind in ("supplier", "hub"):
        k = d.loc[d["kind"] == kind]
        row[f"n_{kind}s_started"] = int(k["started"].sum())
        row[f"n_{kind}s_stopped"] = int(k["stopped"].sum())
    last = roadmap.period_ids[-1]
    plan = roadmap.plans[last]
    shares = roadmap.shares().set_index("period").loc[last]
    row.update({"n_suppliers": len(plan.suppliers), "n_hubs": len(plan.hubs),
                **{k: float(shares[k]) for k in ("local_share", "allied_share")},
                "top_country": shares["top_country"],
                "top_country_share": float(shares["top_country_share"])})
    return row


def path_weighting(roadmap: Roadmap) -> str:
    """How a path's last period's shares weigh markets and products (``value-weighted``, ...; ""
    where it has no demand: '% of demand, no demand over all markets' read oddly: review)."""
    weighting = str(roadmap.shares()["weighting"].iloc[-1])
    return "" if weighting == NO_DEMAND else weighting


def path_row(o: PathOutcome, base: Roadmap) -> dict[str, Any]:
    """One row of :func:`roadmap_premium`."""
    row: dict[str, Any] = {"policy": o.name,
                           "status": o.status if o.roadmap is None else o.roadmap.status.value}
    if o.roadmap is None:
        return {**row, "cost": math.nan, "premium": math.nan, "premium_pct": math.nan,
                "network_cost": math.nan, "network_premium_pct": math.nan, "reason": o.reason}
    return {**row, **path_columns(o.roadmap, base), "solve_time": o.roadmap.solve_time,
            "gap": o.roadmap.gap, "reason": ""}


def roadmap_outcomes(network: Network, policies: Mapping[str, Policy], base: Policy | None = None,
                     options: SolveOptions | None = None, workers: int | None = None,
                     executor: Executor | Any | None = None,
                     progress: Progress | None = None) -> list[PathOutcome]:
    """The solved paths behind :func:`roadmap_premium`, base first (its roadmaps included, e.g.
    for :func:`~resilient_sc.analysis.roadmap_figure.roadmap_figure`)."""
    given_policy(network, None)  # a Network (a DataFrame or a path is said to be none); base: with_base
    named = with_base(policies, base)
    check_policies(named, network)
    check_parallel(workers, executor, progress)
    tasks = [(name, network, pol, options) for name, pol in named.items()]
    first = solve_path(*tasks[0])  # the base first: without it no premium means anything
    if first.roadmap is None:
        raise no_reference("the base path", first.status, first.reason)
    return [first, *run_all(solve_path, tasks[1:], workers, executor, progress, [t[0] for t in tasks[1:]])]


def roadmap_premium_table(outcomes: Sequence[PathOutcome]) -> pd.DataFrame:
    """Rows of :func:`path_row`, premiums relative to the first (base) outcome."""
    base = outcomes[0].roadmap
    if base is None:
        raise no_reference("the base path", outcomes[0].status, outcomes[0].reason)
    return pd.DataFrame([path_row(o, base) for o in outcomes])


def roadmap_premium(network: Network, policies: Mapping[str, Policy], base: Policy | None = None,
                    options: SolveOptions | None = None, workers: int | None = None,
                    executor: Executor | Any | None = None,
                    progress: Progress | None = None) -> pd.DataFrame:
    """The premium of each policy path over the cost-optimal path (docs/formulation.md §9).

    Each policy (a mapping with period keys is a glide path) is solved as a roadmap over the
    network's periods (:func:`~resilient_sc.roadmap.solve_roadmap`; in parallel as
    :func:`~resilient_sc.analysis.premium.premium` does) and compared with ``base`` (default: no
    policy, the cost-optimal path), solved first.

    :returns: one row per policy, base first: ``policy``, ``status`` (``optimal``,
        ``infeasible``, ``not_solved``), ``cost`` (Σ_t weight_t · cost_t, money), ``premium``
        (money over the base), ``premium_pct`` (100 · (cost − base) / base, %), per period
        ``cost <period>`` (money, unweighted) and ``premium_pct <period>`` (% of the base path's
        cost in that period), ``n_suppliers_started``, ``n_suppliers_stopped``,
        ``n_hubs_started``, ``n_hubs_stopped`` (over the path, against the period before),
        ``n_suppliers``, ``n_hubs``, ``local_share``, ``allied_share``, ``top_country`` and
        ``top_country_share`` of the last period (fractions of demand over all markets),
        ``solve_time`` (s), ``gap``, ``reason`` (why there is no roadmap).
    :raises ValidationError: a policy does not fit the network (every problem, labelled with
        the policy's name), before anything is solved.
    :raises InfeasiblePolicyError: the base path has no roadmap (any other infeasible policy is
        a row with status ``infeasible`` and the reason).
    """
    return roadmap_premium_table(roadmap_outcomes(network, policies, base, options, workers,
                                                  executor, progress))


# ---- the end-year frontier -----------------------------------------------------------
def at_last_period(policy: Policy, field: str, value: Any, periods: Sequence[str]) -> Policy:
    """``policy`` with ``field`` equal to ``value`` in the last of ``periods`` and as before in
    the others: a mapping gets (or has replaced) the key of the last period; a scalar s becomes
    ``{earlier period: s, ..., last: value}``; an absent field ``{last: value}``. Region and
    product keys of a mapping still apply in every period (the strictest binds). ``value`` None
    asks nothing more in the last period."""
    row = Policy.check_field(field)
    if not row.keys:
        raise ValidationError([f"(field) | {field} takes no mapping, so it cannot differ in the "
                               "last period; sweep it in every period with frontier()"])
    *earlier, last = periods
    if isinstance(value, Mapping):  # a period key holds one number for every region and product
        raise ValidationError([f"(values) | {field} {shown(value)}: the end-year frontier sets one number "
                               f"in the last period ('{last}') per point, not a mapping; give numbers, and "
                               "region or product keys in the starting policy"])
    current = getattr(policy, field)
    if field == "shortfall_penalty" and current is None:  # a price in the last period alone prices too little
        raise ValidationError(["(policy) | shortfall_penalty: the starting policy sets none, so the "
                               f"periods before '{last}' would have no price of a unit short; set one in "
                               "the starting policy (the frontier then sweeps the last period's)"])
    if isinstance(current, Mapping):
        path = {k: v for k, v in current.items() if str(k) != last}
    elif current is None:
        path = {}
    else:
        path = {p: current for p in earlier}
    if value is not None:
        path[last] = value
    return policy.replace(**{field: path or None})


def end_year_frontier(network: Network, field: str, values: Iterable[Any], policy: Policy | None = None,
                      options: SolveOptions | None = None, workers: int | None = None,
                      executor: Executor | Any | None = None,
                      progress: Progress | None = None) -> pd.DataFrame:
    """Cost of the path as the last period's target of ``field`` sweeps over ``values``.

    For each value v the policy is ``policy`` with ``field`` = v in the last period only
    (:func:`at_last_period`: the glide path of earlier periods is kept), solved as a roadmap
    (independent solves, in parallel through ``workers``/``executor``).

    :returns: one row per value: ``<field>`` (v), ``status``, ``cost`` (Σ weight × period cost,
        money), ``premium``/``premium_pct`` over the cost-optimal path (no policy at all; money
        and %), per period cost and premium, the counts and last-period shares of
        :func:`roadmap_premium`, ``gap``, ``reason`` (why a value has no roadmap); ``attrs["reference"]``:
        the cost-optimal path's ``status``, ``gap`` and ``cost`` (premiums are over it);
        ``attrs["kept_keys"]``: the starting policy's region and product keys of ``field``, which
        hold in the last period too (the stricter binds: a target they beat changes nothing).
    :raises ValidationError: an unknown field, a field that takes no mapping (``co2_cap``,
        ``survive``, ...: use :func:`~resilient_sc.analysis.frontier.frontier`), or a value that
        does not fit the field or the network (named ``field=value``), before anything is solved.
    :raises InfeasiblePolicyError: the cost-optimal path itself has none.
    """
    policy = given_policy(network, policy)  # {} or a DataFrame is an error, not the base
    values = values_to_sweep(field, values)
    check_parallel(workers, executor, progress)
    ids = list(period_ids(network))
    policies = [at_last_period(policy, field, v, ids) for v in values]
    if not has_periods(network):  # one period, "today", which no policy key may name
        policies = [policy_in(p, network, ids[0]) for p in policies]
    check_policies({f"{field}={shown(v)}": pol for v, pol in zip(values, policies, strict=True)}, network)
    base = solve_path(BASE, network, Policy(), options)
    if base.roadmap is None:
        raise no_reference("the cost-optimal path", base.status, base.reason)
    tasks = [(f"{field}={shown(v)}", network, pol, options) for v, pol in zip(values, policies, strict=True)]
    outcomes = run_all(solve_path, tasks, workers, executor, progress, [t[0] for t in tasks])
    rows = [{field: v, **path_row(o, base.roadmap)} for v, o in zip(values, outcomes, strict=True)]
    columns = list({field: None, **path_row(base, base.roadmap)})  # every column, whichever targets fail
    out = pd.DataFrame(rows, columns=columns).drop(columns="policy")
    out.attrs["reference"] = {"status": base.roadmap.status.value, "gap": base.roadmap.gap,
                              "cost": base.roadmap.objective}
    out.attrs["weighting"] = path_weighting(base.roadmap)
    out.attrs["settings"] = base.roadmap.report.settings  # how it was solved, for the report's words
    current = getattr(policy, field)  # its region and product keys hold in the last period too
    out.attrs["kept_keys"] = ({str(k): v for k, v in current.items() if str(k) not in ids}
                              if isinstance(current, Mapping) else {})
    return out


# ---- stress tests per period ---------------------------------------------------------
def roadmap_stress(roadmap: Roadmap, failures: Iterable[str] = STRESS_FAILURES,
                   probabilities: Mapping[str, float] | None = None,
                   penalty: float | Mapping[str, float] | Literal["default"] | None = None,
                   scenarios: bool = True) -> dict[str, StressResult]:
    """:func:`~resilient_sc.analysis.stress.stress_test` of each period's design with the
    network as it stands in that period (its demand, capacities and tariffs): period → result.

    Each result is conditional on that period's design (its suppliers and hubs fixed) and on one
    failure happening in that period; the arguments are those of ``stress_test``. Lead times
    play no part in a replay: an element that operates in the period is in its design. A period
    without demand has nothing to test: it is left out, with a :class:`DataWarning` naming it.
    """
    if not isinstance(roadmap, Roadmap):
        raise ValidationError([f"(roadmap) | roadmap_stress needs a Roadmap from solve_roadmap(), not "
                               f"{type(roadmap).__name__} (a plan: stress_test(network, plan))"])
    kinds = failure_kinds(failures)
    out: dict[str, StressResult] = {}
    for period, plan in roadmap.plans.items():
        if plan.model is None:
            raise ValidationError([f"(roadmap) | period {period}: the plan has no model to replay"])
        if not plan.model.network.has_demand:
            warn(f"(demand) | period {period} has no demand above 0: no failure can leave a market "
                 "short then, so it is not stress-tested", DataWarning)
            continue
        try:
            out[period] = stress_test(plan.model.network, plan, kinds, probabilities, penalty, scenarios)
        except ValidationError as exc:  # each period's design is its own: the error says which (audit)
            raise ValidationError([p.replace(" | ", f" | in period {period}: ", 1) for p in exc.problems],
                                  exc.about) from exc
    return out


def not_stress_tested(period_ids: Sequence[str], results: Mapping[str, StressResult]) -> str:
    """``Not stress-tested: 2029 (no demand above 0: …).``: the periods :func:`roadmap_stress`
    left out; '' when none (the report and its table dropped them without a word)."""
    untested = [p for p in period_ids if p not in results]
    return (f"Not stress-tested: {', '.join(untested)} (no demand above 0: no failure can leave a market "
            "short then)." if untested else "")


def roadmap_stress_table(results: Mapping[str, StressResult]) -> pd.DataFrame:
    """One row per period of :func:`roadmap_stress`: ``period`` and the keys of
    :meth:`StressResult.summary` (``worst_served`` a fraction of demand; expected figures in
    money or fractions, conditional as ``conditional_on`` says)."""
    keys = ("failures", "hurt", "worst_served", "worst_failure", "worst_market", "worst_product",
            "expected_value_served", "expected_shortfall_cost", "expected_extra_cost", "conditional_on")
    rows = []
    for period, result in results.items():
        summary = result.summary()
        rows.append({"period": period, **{k: summary[k] for k in keys}})
    return pd.DataFrame(rows, columns=["period", *keys])


# ---- the myopic path -----------------------------------------------------------------
def period_network(network: Network, period: str, position: int,
                   before: Iterable[str] | None = None) -> Network:
    """Period ``period`` (at ``position``) of ``network`` as a network of its own: lead times of
    candidates counted from it (``max(lead_time − position, 0)``; none for elements in operation
    before the first period); with ``before``, the suppliers and hubs that operated in the period
    before are ``existing`` and the others ``candidate`` (``open`` and ``closed`` stay), so that a
    one-period solve charges the opening and closing costs of the move from ``before``."""
    net = in_period(network, period)
    changes = {}
    for kind in ("supplier", "hub"):
        df = getattr(net, f"{kind}s").copy()
        candidate = (df["status"] == "candidate").to_numpy()
        lead = df["lead_time"].to_numpy()
        df["lead_time"] = np.where(candidate, np.maximum(lead - position, 0), 0).astype(lead.dtype)
        if before is not None:
            movable = ~df["status"].isin(FIXED)
            kept = df[kind].isin(set(before))
            df.loc[movable, "status"] = np.where(kept[movable], "existing", "candidate")
        changes[f"{kind}s"] = df
    return net._derived(**changes)


def myopic_path(network: Network, policy: Policy | None = None,
                options: SolveOptions | None = None) -> Roadmap:
    """The path of a planner who sees one period at a time: each period solved in turn
    (:func:`~resilient_sc.optimize.solve` of :func:`period_network`) knowing only the design
    of the period before, and charged the opening and closing costs of its move.

    Returns a :class:`~resilient_sc.roadmap.Roadmap` (``table()``, ``shares()``,
    ``timeline()``, ``costs`` work as for a solved roadmap; it has no ``model``, so no
    ``verify()``); ``objective`` = Σ_t weight_t · cost_t (money), ``bound`` = Σ_t weight_t ·
    bound_t of the period solves. The value of planning the whole path at once is
    ``myopic_path(...).objective − solve_roadmap(...).objective`` ≥ 0: the myopic path is one
    of the roadmap's feasible paths.

    :raises InfeasiblePolicyError: a period has no plan (reasons headed ``in period P:``).
    """
    policy = given_policy(network, policy)  # {} or a DataFrame is an error, not the base
    policy.check_network(network)
    ids = list(period_ids(network))
    plans: dict[str, Plan] = {}
    before: set[str] | None = None
    for t, period in enumerate(ids):
        try:
            plan = solve(period_network(network, period, t, before),
                         policy_in(policy, network, period), options)
        except InfeasiblePolicyError as exc:
            raise InfeasiblePolicyError([f"in period {period}: {r}" for r in exc.reasons]) from exc
        plans[period] = plan
        before = set(plan.supplier_ids) | set(plan.hub_ids)
    w = np.asarray(weights(network), float)
    costs = period_costs(plans, w)
    objective = float(costs["weighted"].sum())
    bound = float(sum(wt * plan.bound for plan, wt in zip(plans.values(), w, strict=True)))
    status = next((p.status for p in plans.values() if p.status is not Status.OPTIMAL), Status.OPTIMAL)
    design = design_table(network, ids, plans).drop(columns=["opening_cost", "closing_cost"])
    return Roadmap(status, objective, bound,
                   abs(objective - bound) / max(abs(objective), 1e-9) if math.isfinite(bound) else math.nan,
                   sum(p.solve_time for p in plans.values()), sum(p.build_time for p in plans.values()),
                   pd.DataFrame({"period": ids, "weight": w}), plans, costs, design, policy)


#: the last row of :func:`planning_value`: the weighted sum of its periods, which a reader adding the
#: period rows (unweighted) would not get
WEIGHTED_TOTAL = "total (Σ weight × cost)"


def planning_value(network: Network, policy: Policy | None = None,
                   options: SolveOptions | None = None) -> pd.DataFrame:
    """The roadmap against the myopic path, per period: ``period``, ``weight``, ``roadmap`` and
    ``myopic`` (period cost, money, unweighted), and a last row :data:`WEIGHTED_TOTAL`
    (Σ weight × cost, so not the sum of the rows above it); the ``value`` column is myopic −
    roadmap (money; ≥ 0 in the total up to the solver's tolerance, a period may be cheaper
    myopically). Where two plans of a period cost the same, the myopic path keeps the one HiGHS
    returns, and the value is measured against that one (an equally cheap supplier named otherwise
    gave 0 where another name gave 9,070: reproducibility audit)."""
    r, m = solve_roadmap(network, policy, options), myopic_path(network, policy, options)
    df = pd.DataFrame({"period": r.costs["period"], "weight": r.costs["weight"],
                       "roadmap": r.costs["total"], "myopic": m.costs["total"].to_numpy()})
    df.loc[len(df)] = {"period": WEIGHTED_TOTAL, "weight": math.nan, "roadmap": r.objective,
                       "myopic": m.objective}
    return df.assign(value=df["myopic"] - df["roadmap"])
