"""Resilience premiums (docs/formulation.md §6): what each policy costs over the cost-optimal base and
what it buys under failures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ..data import Network
from ..escaping import id_list
from ..exceptions import InfeasiblePolicyError, NotOptimalError, ResilientSCError, check_switch
from ..model.build import given_policy
from ..optimize import solve
from ..policies import check_policies, with_base
from ..policy import Policy
from ..results import NO_PENALTY, Plan, network_cost
from ..schema import STRESS_FAILURES
from ..solvers.base import SolveOptions
from .parallel import Progress, check_parallel, named, run_all
from .replay import SERVED_TOL, excess, premium_pct
from .stress import DEFAULT, StressResult, check_penalty, failure_kinds, stress_test


@dataclass(frozen=True, eq=False)
class PolicyOutcome:
    """One policy's plan (None when infeasible) and stress test."""

    name: str
    policy: Policy
    plan: Plan | None
    stress: StressResult | None
    reason: str = ""
    status: str = "optimal"  # or "infeasible", "not_solved"


def evaluate(name: str, network: Network, policy: Policy, options: SolveOptions | None,
             failures: tuple[str, ...], penalty: float | Mapping[str, float] | Literal["default"] | None,
             scenarios: bool = True) -> PolicyOutcome:
    """Solve one policy and stress-test its design (a picklable unit of work)."""
    try:
        plan = solve(network, policy, options)
    except InfeasiblePolicyError as exc:  # the reasons one per line, without the error's header
        return PolicyOutcome(name, policy, None, None, "\n".join(exc.reasons), "infeasible")
    except NotOptimalError as exc:
        return PolicyOutcome(name, policy, None, None, str(exc), "not_solved")
    # every design on one basis: the penalties given, else the default ones (a guarantee), never
    # each policy's own shortfall_penalty (a design priced at 50 a unit read as serving none)
    given: float | Mapping[str, float] | Literal["default"] = DEFAULT if penalty is None else penalty
    stress = (stress_test(network, plan, failures, penalty=given, scenarios=scenarios)
              if failures or (scenarios and len(network.disruptions)) else None)
    return PolicyOutcome(name, policy, plan, stress)


#: a premium's penalty part of at most this (% points of the base's cost) gets no bar of its own
NO_PENALTY_PCT = 0.005


def counts_penalties(table: pd.DataFrame) -> bool:
    """Whether some plan of a premium or frontier ``table`` has shortfall or disruption-scenario
    cost in its cost (more than :data:`NO_PENALTY`): then its ``network_premium_pct`` is not its
    ``premium_pct`` and a reader needs both."""
    if "network_cost" not in table:
        return False
    return bool(((table["cost"] - table["network_cost"]).abs() > NO_PENALTY).any())


def sheds_demand(table: pd.DataFrame) -> bool:
    """Whether some plan of a premium or frontier ``table`` delivers less than its demand with
    nothing failed (paying its shortfall penalty): then its cost and network premium buy less,
    and a reader needs ``intact_served`` beside them."""
    return "intact_served" in table and bool((table["intact_served"] < 1 - SERVED_TOL).any())


#: ``intact_served`` in a table's legend
INTACT_WORDS = ("intact_served: the fraction of demand the plan delivers with nothing failed (weighted as "
                "the shares; below 100% only when it leaves demand short, paying its shortfall penalty), "
                "at its own penalty, where the worst and expected served are of every design re-routed "
                "at the stress test's default penalties, which deliver every unit they can (so they may "
                "read higher)")


def shown_columns(columns: list[str], table: pd.DataFrame) -> list[str]:
    """``columns`` with ``gap`` after ``status`` when a plan is not proven optimal
    (:func:`unproven`), ``network_premium_pct`` after ``premium_pct`` when the ``table`` needs it
    (:func:`counts_penalties`), and ``intact_served`` after it when a plan sheds demand
    (:func:`sheds_demand`)."""
    if "status" in columns and "gap" not in columns and unproven(table):
        at = columns.index("status") + 1
        columns = [*columns[:at], "gap", *columns[at:]]
    if not counts_penalties(table) or "premium_pct" not in columns or "network_premium_pct" in columns:
        return columns
    at = columns.index("premium_pct") + 1
    shed = ["intact_served"] if sheds_demand(table) and "intact_served" not in columns else []
    return [*columns[:at], "network_premium_pct", *shed, *columns[at:]]


def unproven(table: pd.DataFrame) -> list[str]:
    """The ``policy`` names of a premium table's (or a table of paths') rows with a plan not
    proven optimal: a cost but a status other than ``optimal`` (a solve stopped at its limits)."""
    if not {"status", "cost", "policy"} <= set(table.columns):
        return []
    return [str(n) for n in table.loc[table["cost"].notna() & table["status"].ne("optimal"), "policy"]]


def unproven_sentence(table: pd.DataFrame) -> str:
    """A sentence naming the plans of ``table`` not proven optimal (:func:`unproven`), else empty:
    their costs are only upper bounds and their premiums uncertain by their gaps.

    >>> unproven_sentence(pd.DataFrame({"policy": ["base", "local"], "status": ["optimal", "time_limit"],
    ...                                 "cost": [10.0, 12.0]}))
    ' The plans of local are not proven optimal (the solve stopped at its limits): their costs are \
only upper bounds, and their premiums uncertain by their gaps.'
    """
    names = unproven(table)
    return (f" The plans of {', '.join(names)} are not proven optimal (the solve stopped at its limits): "
            "their costs are only upper bounds, and their premiums uncertain by their gaps.") if names else ""


def design_columns(plan: Plan, base: Plan, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The columns every comparison of designs shares (premium table, frontier): cost and
    premium over the ``base`` plan's cost (money and % of it), the network cost and its premium
    (:func:`network_cost`, % of the base's cost: they differ from cost and premium when a plan's
    cost counts shortfall or disruption-scenario cost), the fraction of demand the plan
    delivers with nothing failed (:meth:`Plan.served`), the stress summary's worst case, the
    plan's overall local and allied shares and its numbers of suppliers and hubs."""
    base_cost, network = base.objective, network_cost(plan)
    return {
        "cost": plan.objective,
        "premium": excess(plan.objective, base_cost),
        "premium_pct": premium_pct(plan.objective, base_cost),
        "network_cost": network,
        "network_premium_pct": premium_pct(network, network_cost(base), base_cost),
        "intact_served": plan.served(),
        "worst_served": summary.get("worst_served", math.nan),
        "worst_failure": summary.get("worst_failure", ""),
        "local_share": plan.overall_share("local_share"),
        "allied_share": plan.overall_share("allied_share"),
        "n_suppliers": len(plan.suppliers),
        "n_hubs": len(plan.hubs),
    }


def outcome_row(o: PolicyOutcome, base: Plan) -> dict[str, Any]:
    """One row of the premium table."""
    row: dict[str, Any] = {"policy": o.name, "status": o.status if o.plan is None
                           else o.plan.status.value}
    if o.plan is None:
        return {**row, "reason": o.reason}
    p = o.plan
    summary = o.stress.summary() if o.stress is not None else {}
    top = p.shares["top_foreign_share"]
    return {
        **row,
        **design_columns(p, base, summary),
        "expected_value_served": summary.get("expected_value_served", math.nan),
        "expected_shortfall_cost": summary.get("expected_shortfall_cost", math.nan),
        "expected_conditional_on": summary.get("conditional_on", ""),
        "max_foreign_share": float(top.max()) if len(top) else 0.0,
        "suppliers": id_list(p.supplier_ids),
        "hubs": id_list(p.hub_ids),
        "solve_time": p.solve_time,
        "gap": p.gap,
        "reason": "",
    }


def no_reference(what: str, status: str, reason: str) -> ResilientSCError:
    """The error of a premium's reference (``what``: "the base policy") without a plan: an
    :class:`InfeasiblePolicyError` when it has none, a :class:`NotOptimalError` when it was not
    solved within the limits of the solve (no premium can be computed over it either way)."""
    if status == "infeasible":
        return InfeasiblePolicyError([f"{what} has no plan: {r}" for r in reason.splitlines()])
    return NotOptimalError(f"{what} was not solved within the limits of the solve (no plan kept), so no "
                           f"premium can be computed over it: {reason}")


def premium(network: Network, policies: Mapping[str, Policy], base: Policy | None = None,
            options: SolveOptions | None = None,
            failures: Iterable[str] = STRESS_FAILURES,
            penalty: float | Mapping[str, float] | Literal["default"] | None = None,
            workers: int | None = None,
            executor: Executor | Any | None = None,
            progress: Progress | None = None, scenarios: bool = True) -> pd.DataFrame:
    """The premium table: base and every policy solved (in parallel) and stress-tested.

    :param network: the data; every policy is solved on it.
    :param policies: name → :class:`Policy`; ``base`` (default: no policy) is solved first and
        is the reference of every premium.
    :param options: solver options for every solve.
    :param failures: failure kinds replayed on each design by :func:`stress_test`, one element at a
        time; ``scenarios``: every scenario of the ``disruptions`` table replayed too (as
        ``stress_test``'s; :func:`~resilient_sc.analysis.frontier.frontier` replays single failures
        alone). Neither: no stress test.
    :param penalty: money per unit short in the stress tests (a number, a mapping product →
        money, or None for :func:`~resilient_sc.analysis.stress.default_penalties`).
    :param workers: processes for the policies (None: one per CPU); ``executor`` (a
        ``concurrent.futures`` executor or a ``distributed.Client``) instead; ``progress``
        wraps the futures, a function of them and their number (e.g. ``lambda fs, n:
        tqdm(fs, total=n)``).
    :returns: one row per policy, base first. Columns: ``policy``, ``status`` (``optimal``,
        ``infeasible``, ``not_solved``; ``time_limit`` with ``allow_nonoptimal``: a plan not
        proven optimal, within its gap), ``cost`` (money), ``premium`` (money over the base),
        ``premium_pct`` (% of the base cost), ``network_cost`` (money: the cost without the
        shortfall and disruption-scenario cost that a policy with ``shortfall_penalty`` counts,
        :func:`network_cost`), ``network_premium_pct`` (its premium, % of the base cost),
        ``intact_served`` (the fraction of demand the plan delivers with nothing failed,
        :meth:`Plan.served`: below 1 only when it leaves demand short, paying its shortfall
        penalty),
        ``worst_served`` (the lowest fraction of demand every market and product is still
        guaranteed under any replayed failure, in [0, 1]; of a design stress-tested at penalties
        given, what they serve: :func:`floor_caveat`),
        ``worst_failure``, ``expected_value_served`` (fraction of the demand's value served,
        averaged over failures as ``expected_conditional_on`` says; NaN without unit values),
        ``expected_shortfall_cost`` (money, same weighting), ``expected_conditional_on`` (the
        words for that weighting: every failure alike, or given one of the scenarios),
        ``local_share``, ``allied_share``
        (fractions over all markets and products, weighted by :meth:`Plan.share_weights`),
        ``max_foreign_share`` (the largest share of one foreign country in one market's demand
        of one product: what ``max_country_share`` caps), ``n_suppliers``, ``n_hubs``,
        ``suppliers``, ``hubs`` (the ids, separated by spaces; an id holding a space or a quote, or
        starting as a formula would, is in double quotes, so ``shlex.split`` reads them back
        from the CSV too: :func:`~resilient_sc.escaping.id_list`), ``solve_time`` (s), ``gap``,
        ``reason`` (why not optimal).
    :raises ValidationError: when a policy does not fit the network (the problems of every
        policy at once, each labelled with its name), before anything is solved.
    :raises InfeasiblePolicyError: when the base policy itself has no plan (other policies
        that are infeasible get a row with status ``infeasible`` and the reason).

    Run it under ``if __name__ == "__main__":`` in a script: the policies are solved in worker
    processes, which the spawn start method (macOS, Windows) starts by importing the script.
    """
    outcomes = premium_outcomes(network, policies, base, options, failures, penalty, workers,
                                executor, progress, scenarios)
    return premium_table(outcomes)


def premium_outcomes(network: Network, policies: Mapping[str, Policy], base: Policy | None = None,
                     options: SolveOptions | None = None,
                     failures: Iterable[str] = STRESS_FAILURES,
                     penalty: float | Mapping[str, float] | Literal["default"] | None = None,
            workers: int | None = None,
                     executor: Executor | Any | None = None,
                     progress: Progress | None = None, scenarios: bool = True) -> list[PolicyOutcome]:
    """The solved and stress-tested outcomes behind :func:`premium`, base first."""
    given_policy(network, None)  # a Network (a DataFrame or a path is said to be none); base: with_base
    entries = with_base(policies, base)
    check_policies(entries, network)
    check_parallel(workers, executor, progress)
    kinds = failure_kinds(failures)
    check_switch("scenarios", scenarios, "replay the disruption scenarios too")
    if penalty is not None and penalty != DEFAULT:  # before any solve (API audit)
        check_penalty(network.products["product"], penalty)
    tasks = [(name, network, pol, options, kinds, penalty, scenarios) for name, pol in entries.items()]
    first = named(tasks[0][0], evaluate, *tasks[0])  # the base first: without it no premium means anything
    if first.plan is None:
        raise no_reference("the base policy", first.status, first.reason)
    return [first, *run_all(evaluate, tasks[1:], workers, executor, progress, [t[0] for t in tasks[1:]])]


def floor_caveat(outcomes: Iterable[PolicyOutcome]) -> str:
    """``; for 'shed' (stress-tested at a penalty for a unit short) it is what that penalty's
    re-routing serves, not a guarantee``: a premium table's worst served column holds what each
    design is guaranteed, except for a design replayed at penalties (its policy's
    ``shortfall_penalty``, or one given: :attr:`StressResult.priced`), and one built for service
    levels by region or product (:attr:`StressResult.levels`: one floor, not those levels); ""
    when none is."""
    outcomes = list(outcomes)
    priced = [o.name for o in outcomes if o.stress is not None and o.stress.priced]
    levels = [o.name for o in outcomes if o.stress is not None and not o.stress.priced and o.stress.levels]
    return ((f"; for {', '.join(repr(n) for n in priced)} (stress-tested at a penalty for a unit short) it "
             "is what that penalty's re-routing serves, not a guarantee" if priced else "")
            + (f"; for {', '.join(repr(n) for n in levels)} (service levels by region or product) it is one "
               "floor for all markets and products, not the policy's own levels, which the design meets "
               "under each failure it was built for" if levels else ""))


def premium_table(outcomes: list[PolicyOutcome]) -> pd.DataFrame:
    """Rows of :func:`outcome_row`, premiums relative to the first (base) outcome."""
    base = outcomes[0]
    if base.plan is None:
        raise no_reference("the base policy", base.status, base.reason)
    return pd.DataFrame([outcome_row(o, base.plan) for o in outcomes])
