"""The top of the solve stack: route the model, explain an infeasible one, read the plan back
and raise as the options say.

:func:`solve` builds and solves; :func:`solve_model` solves a built (possibly extended) model.
Both hand the model to :func:`resilient_sc.solvers.routes.solve_linear`, the one place that
decides how a model is solved, keep its :class:`~resilient_sc.solvers.base.SolveReport` on the
plan, and own the not-optimal messages. :func:`solve_pyomo` and :func:`plan_from_pyomo` do the
same for a pyomo model made by :func:`resilient_sc.solvers.pyomo.to_pyomo` and extended in pyomo.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import numpy as np
import pandas as pd

from .data import Network
from .exceptions import (
    SOLVING,
    InfeasiblePolicyError,
    NotOptimalError,
    RunWarning,
    ValidationError,
    add_note,
    warn,
)
from .explain import explain_infeasibility
from .format import count, fraction, money, relative_gap
from .model.build import NetworkModel, build_model
from .model.roadmap import RoadmapModel
from .policy import Policy
from .results import EXTENSION, Plan
from .solvers.base import (
    UNCERTIFIED,
    UNCHECKED,
    UNPROVEN,
    SolveOptions,
    SolveReport,
    SolverResult,
    Status,
    given_options,
    is_number,
    log_line,
    logger,
)
from .solvers.certify import is_feasible
from .solvers.highs import until
from .solvers.routes import solve_linear
from .wording import brief, listing, quote

__all__ = ["plan_from_pyomo", "solve", "solve_model", "solve_pyomo"]


#: the advice of a solve HiGHS ended in error (the app words it as it can be followed there)
LOG_ADVICE = "see the solver's log: SolveOptions(log=True) (CLI: --log -)"


def solve_model(model: NetworkModel, options: SolveOptions | None = None,
                start: Plan | None = None) -> Plan:
    """Solve a built model; raise unless optimal (see ``SolveOptions.allow_nonoptimal``).

    ``model`` comes from :func:`~resilient_sc.model.build.build_model`, possibly extended with
    blocks of your own; ``start`` is a plan whose design (suppliers, hubs, assignments) plain
    HiGHS takes as a MIP start. The plan's ``report`` names the route that solved it
    (:data:`resilient_sc.solvers.routes.ROUTES`); with ``options.log`` it is also logged.
    Raises as :func:`solve` does.
    """
    if not isinstance(model, NetworkModel):  # an AttributeError ('Network' has no 'lm') deep in a route
        raise ValidationError([f"(model) | {quote(repr(model))} ({type(model).__name__}) is not a model "
                               "from build_model(network, policy) (solve(network, policy) builds and solves "
                               "one)"])
    options = given_options(options)
    options.check()
    deadline = options.deadline()  # the explanation of an infeasible policy counts too
    result, report = solve_linear(model, options, start_for(model, given_start(start)))
    log_report(report, options)
    if result.status is Status.INFEASIBLE:
        try:
            reasons = explain_infeasibility(model, deadline)
        except KeyboardInterrupt as exc:  # what is known is said: the Ctrl-C's words alone said nothing
            add_note(exc, "no plan meets the policy (HiGHS proved it); stopped while finding out why")
            raise
        raise InfeasiblePolicyError(reasons)
    plan = Plan.from_solution(model, result, report) if result.x is not None else None
    return accepted(plan, result, options)


def accepted(plan: Plan | None, result: SolverResult, options: SolveOptions) -> Plan:
    """``plan`` (or a roadmap) if it is optimal or ``options`` accept it; else
    :class:`NotOptimalError` saying what stopped the solver and which option accepts the plan."""
    if result.status is not Status.OPTIMAL:
        what = {Status.TIME_LIMIT: "the time limit was reached"}.get(
            result.status, f"HiGHS stopped ({result.message})")
        if plan is None and result.message == UNCHECKED:
            raise NotOptimalError(f"no plan: {UNCHECKED}", status=result.status.value)
        if plan is None:  # what is known: the bound; then how far the route got (its note, for the log)
            # a bound of 0 or less says nothing (every cost is at least 0)
            said = f" (the cost is at least {money(result.bound)})" if math.isfinite(result.bound) \
                and result.bound > 0 else ""
            limited = result.status is Status.TIME_LIMIT
            advice = ("raise SolveOptions.time_limit (CLI: --time-limit)" if limited
                      else LOG_ADVICE)
            # a route's note may quote the cost of a partial model's plan: said apart, as the solver's steps
            steps = (f". The solver's steps, none of them a plan of the whole policy: {result.note}"
                     if result.note else "")
            raise NotOptimalError(f"no plan: {what} before any feasible plan was found{said}; {advice}"
                                  f"{steps}", status=result.status.value)
        if not options.allow_nonoptimal and result.message == UNCERTIFIED:
            raise NotOptimalError(
                f"not certified: {UNCERTIFIED} (cost {money(plan.objective)}); pass "
                "SolveOptions(allow_nonoptimal=True) (CLI: --allow-nonoptimal) to accept this plan as it is, "
                "or rescale the data (very large and very small numbers side by side)", plan,
                result.status.value)
        if not options.allow_nonoptimal and result.message.endswith(UNPROVEN) and plan.bound == -math.inf:
            raise NotOptimalError(
                f"not proven optimal: {what}, but its plan made exact costs less than the bound HiGHS "
                f"proved, so no bound is known (cost {money(plan.objective)}); pass SolveOptions("
                "allow_nonoptimal=True) (CLI: --allow-nonoptimal) to accept this plan, or rescale the data "
                "(very large and very small numbers side by side)", plan, result.status.value)
        if not options.allow_nonoptimal and isinstance(plan, Plan) and plan.period is None \
                and math.isnan(plan.bound):
            gap = f", gap {relative_gap(result.gap)} on it" if math.isfinite(result.gap) else ""
            raise NotOptimalError(  # with_objective's mark: the bound and gap are another objective's
                f"not proven optimal: {what} on the model's own objective{gap} (this plan's cost "
                f"{money(plan.objective)}, no bound on it); pass SolveOptions(allow_nonoptimal=True) to "
                "accept this plan, or raise the solver's time limit", plan, result.status.value)
        if not options.allow_nonoptimal:  # the plan's own cost and gap: a roadmap recounts them
            raise NotOptimalError(
                f"not proven optimal: {what} with gap {relative_gap(plan.gap)} (cost "
                f"{money(plan.objective)}, bound {money(plan.bound)}); pass "
                "SolveOptions(allow_nonoptimal=True) (CLI: --allow-nonoptimal) to accept this plan, or "
                + ("raise SolveOptions.time_limit (CLI: --time-limit)" if result.status is Status.TIME_LIMIT
                   else "give quantities and money in units that keep them between 1e-3 and 1e9"),
                plan, result.status.value)
    assert plan is not None
    if result.status is Status.OPTIMAL:
        _warn_of_fixed_costs(plan, options)
    return plan


def _warn_of_fixed_costs(plan: Plan, options: SolveOptions) -> None:
    """Warn when the gap, judged by HiGHS on the whole cost, is wide on the part a plan can
    change: costs fixed whatever the plan (columns fixed by their bounds, such as the fixed
    cost of a supplier or hub the data keeps open) widen it. With a constant C, a gap g on the
    cost z allows (z − bound) ≤ g·z, that is (z − bound) / (z − C) ≤ g·z / (z − C) on the rest."""
    lm = plan.model.lm if plan.model is not None else None
    slack = plan.objective - plan.bound
    if lm is None or not math.isfinite(slack) or slack <= 1e-9 * abs(plan.objective):  # round-off
        return
    lower, upper = lm.bounds()[:2]
    fixed = lower == upper
    constant = float(lm.objective()[fixed] @ lower[fixed])
    rest = abs(plan.objective - constant)
    if constant <= 0 or slack <= options.mip_gap * rest:
        return
    tighter = float(f"{options.mip_gap * rest / abs(plan.objective) * 0.95:.1e}")  # short, never above
    if not 0 < tighter < options.mip_gap:  # mip_gap 0 already: nothing tighter to advise
        return
    warn(f"({SOLVING.get()}) | {money(constant)} of the cost {money(plan.objective)} "
         f"({fraction(constant / plan.objective)}) is fixed whatever the plan (such as the fixed "
         "costs of suppliers and hubs the data keeps open): the gap of "
         f"{relative_gap(plan.gap)} on the whole cost leaves the rest within {money(slack)} of "
         f"its bound, a gap of {relative_gap(slack / rest)} on the rest, above mip_gap "
         f"{options.mip_gap:g}; for a plan that close on the rest, solve with mip_gap="
         f"{tighter:g} (CLI: --gap {tighter:g})", RunWarning)


def log_report(report: SolveReport, options: SolveOptions) -> None:
    """The report's line where the solver log goes (stderr, or appended to the log file), and to
    :data:`~.solvers.base.logger` at INFO."""
    logger.info(report.line())
    log_line(report.line(), options)


def solve(network: Network, policy: Policy | None = None,
          options: SolveOptions | None = None, start: Plan | None = None) -> Plan:
    """Build and solve: the cheapest plan for ``network`` that honours ``policy``.

    Chooses which suppliers to contract and which hubs to open and routes every product
    supplier → hub → market at minimum total cost: fixed costs of suppliers and hubs,
    purchase, handling, transport and tariffs (plus the CO2 price, shortfall penalty and
    disruption-scenario cost when the policy sets them). The model is the formulation of
    docs/formulation.md, built by :func:`~resilient_sc.model.build.build_model` and solved by
    HiGHS; the solve prints nothing unless ``options.log`` asks for the solver log.

    Units are those of the data: money in the data's one currency, quantities in units of
    each product, CO2 in the data's CO2 units, shares as fractions in [0, 1]
    (docs/conventions.md §8.14).

    :param network: the validated data, from :func:`~resilient_sc.data.read_network` (a CSV
        folder or an .xlsx workbook), :meth:`~resilient_sc.data.Network.from_frames` (pandas
        DataFrames) or :mod:`resilient_sc.examples`.
    :param policy: the resilience requirements (:class:`~resilient_sc.policy.Policy`); None
        or ``Policy()`` gives the cost-optimal base design.
    :param options: how to solve (:class:`SolveOptions`: time limit, MIP gap, threads, solver
        log, backend); None for the defaults (proven optimal, no time limit, silent). The time
        limit counts from this call: building the model takes from it (12 s of ladder XL).
    :param start: a plan whose design (suppliers, hubs, assignments) is handed to HiGHS as a
        MIP start, e.g. the plan of a slightly looser policy (a plan of other data, naming
        suppliers or hubs this network lacks, is warned of: :class:`RunWarning`).
    :returns: a :class:`~resilient_sc.results.Plan`: ``status`` (:class:`Status`),
        ``objective`` (total cost, money), ``bound`` and ``gap``, ``breakdown`` (money per cost
        component), ``emissions``, the contracted ``suppliers`` (their volumes per product, in
        that product's units, in ``tables()``) and opened ``hubs`` (throughput and utilisation
        of all products' units together, as the hub capacity counts them; NaN for a hub without
        capacity receiving products of different units), the flows ``inbound`` (supplier,
        hub, product, quantity) and ``outbound`` (hub, market, product, origin country,
        quantity), ``shares`` (per market and product: demand, delivered, shortfall, local,
        allied and top foreign shares), ``country_shares`` and ``supplier_shares``, and
        ``report`` (:class:`SolveReport`: the route that solved it, its times and nodes), and
        ``summary()``, ``tables()`` and ``save(folder)``; write it as a workbook with
        :func:`~resilient_sc.workbook.write_workbook`, re-check it with
        :func:`~resilient_sc.verify.verify_plan`.
    :raises ValidationError: ``policy`` or ``options`` break the data contract (a share
        outside [0, 1], a mapping key that is neither a region nor a product, a negative
        time limit, ...); ``problems`` lists every one.
    :raises InfeasiblePolicyError: no plan meets the data and the policy; ``reasons`` says
        why in a planner's terms (market, product, missing units, or the policy fields of
        HiGHS's irreducible infeasible subset).
    :raises NotOptimalError: HiGHS stopped before proving optimality (time limit, interrupt,
        numerical trouble); ``plan`` holds the best plan found, if any. Pass
        ``SolveOptions(allow_nonoptimal=True)`` to get that plan returned instead.

    The tiny example (one market, two candidate suppliers) and the bundled electronics
    network with a near-shoring policy:

    >>> from resilient_sc import Policy, examples
    >>> plan = solve(examples.tiny())
    >>> plan.status.value, round(plan.objective, 2)
    ('optimal', 1260.0)
    >>> net = examples.electronics()          # or read_network("examples/electronics")
    >>> plan = solve(net, Policy(min_local_share=0.5, min_suppliers=2))
    >>> plan
    Plan(optimal, cost=12,228,393.05, 14 suppliers, 4 hubs)
    >>> bool((plan.shares["local_share"] >= 0.5 - 1e-9).all())
    True

    A policy that cannot be met:

    >>> from resilient_sc import InfeasiblePolicyError
    >>> try:  # doctest: +NORMALIZE_WHITESPACE
    ...     solve(examples.tiny(), Policy(min_suppliers=3))
    ... except InfeasiblePolicyError as exc:
    ...     print(exc.reasons[0])
    min_suppliers 3 cannot be met for product 'default': only 2 supplier(s) can deliver it (S_CN,
    S_FR); to resolve it: add suppliers of 'default' with lanes to its markets, or lower
    min_suppliers to 2 or fewer
    """
    options = given_options(options)
    options.check()
    given_start(start)  # before the build
    deadline = options.deadline()  # the time limit is the whole call's: the build counts
    model = model_for(network, policy, options)
    try:
        return solve_model(model, until(options, deadline), start)
    except NotOptimalError as exc:
        if getattr(model, "deferred", None) is None or exc.plan is not None or UNCHECKED not in str(exc):
            raise
        # the copies built on demand could not be checked (a recourse LP failing on demands of 1e9
        # units, a master not certified): every copy in the model, unless over the size limit
        try:
            full = build_model(network, policy, strong_links=options.strong_links)
        except (ValidationError, MemoryError):
            raise exc from None
    plan = solve_model(full, until(options, deadline), start)
    report = plan.report
    said = "the failures could not be checked on copies built on demand: solved with every copy in the model"
    return plan if report is None else dataclasses.replace(
        plan, report=dataclasses.replace(report, note=f"{said}; {report.note}" if report.note else said))


def given_start(start: Any) -> Plan | None:
    """``start`` after checking it is a Plan or None (a MIP start of anything else was ignored)."""
    if start is not None and not isinstance(start, Plan):
        raise ValidationError([f"(start) | {brief(start)} is a {type(start).__name__}, not a Plan: give a "
                               "plan from solve() whose design starts HiGHS, or None"])
    return start


def start_for(model: NetworkModel, start: Plan | None) -> Plan | None:
    """``start``, warned of when its design names suppliers or hubs ``model``'s network does not
    have (a plan of other data: only the names in both start HiGHS, which may then start from
    nothing)."""
    if start is None:
        return None
    foreign = [f"{kind} {quote(name)}" for kind, name in start.foreign_to(model.network)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        warn(f"(start) | the start plan names {len(foreign)} supplier(s) or hub(s) this network "
             f"does not have ({shown}): it is a plan of other data; only the names in both start "
             "the solver (the plan returned is this network's own)", RunWarning)
    return start


def model_for(network: Network, policy: Policy | None, options: SolveOptions) -> NetworkModel:
    """The model :func:`solve` builds for ``options``: with accelerated HiGHS, survive copies of
    more than ``on_demand_columns`` recourse columns (by default any) are left for failure
    generation to build on demand (:class:`~resilient_sc.solvers.base.AccelerateOptions`)."""
    accelerating = options.accelerate and options.backend == "highs"
    defer = options.accelerate_options.on_demand_columns if accelerating else None
    return build_model(network, policy, strong_links=options.strong_links, defer_failures=defer)


# ---- pyomo ------------------------------------------------------------------------------
def solve_pyomo(model: NetworkModel | Any, options: SolveOptions | None = None) -> Plan:
    """Solve with pyomo's HiGHS interface; same options, statuses and errors as the direct path.

    ``model`` is a NetworkModel (solved by the ``pyomo`` route, as
    ``solve_model(model, SolveOptions(backend="pyomo"))``) or a pyomo model from
    :func:`~resilient_sc.solvers.pyomo.to_pyomo`, possibly extended by the user (solved as it
    stands; an infeasible one is explained as :func:`solve` explains it if left as built, else
    its changes are named (:func:`pyomo_infeasible`); its cost is the active objective's, a
    term the model as built does not have its own :data:`~resilient_sc.results.EXTENSION` line
    of the breakdown, an objective of the user's own named in the note: :func:`with_objective`). A roadmap's
    pyomo model is read back by :func:`resilient_sc.roadmap.roadmap_from_pyomo`.
    """
    options = given_options(options)
    options.check()
    if isinstance(model, NetworkModel):
        return solve_model(model, dataclasses.replace(options, backend="pyomo"))
    if isinstance(model, RoadmapModel):
        raise ValidationError(["(model) | a roadmap's model: solve it with resilient_sc.roadmap."
                               "solve_roadmap_model(model, SolveOptions(backend='pyomo'))"],
                              "in the model given")
    from .solvers import pyomo as pyomo_solver  # pyomo loads only when asked for

    network_model = single_period(pyomo_solver.network_model_of(model))
    result = pyomo_solver.solve(model, options)
    if result.status is Status.INFEASIBLE:
        raise pyomo_infeasible(model, network_model, result.message.split(",")[0], "HiGHS (pyomo backend)")
    plan = None
    if result.x is not None:
        report = dataclasses.replace(pyomo_report(model, network_model, result.x, result),
                                     settings=options.settings())
        log_report(report, options)
        values = {name: block.values(result.x) for name, block in network_model.lm.variables.items()}
        plan = with_objective(Plan.from_values(network_model, values, result, report), result,
                              bool(pyomo_solver.replaced_objective(model)))
    return accepted(plan, result, options)


def pyomo_infeasible(pyomo_model: Any, model: NetworkModel | RoadmapModel, condition: str,
                     solver: str) -> InfeasiblePolicyError:
    """The error of a pyomo model ``solver`` found without a plan (``condition``: its word):
    one left as built from a network and policy is explained as :func:`solve` explains it;
    a changed one names what was changed (the rows that are not all the model's)."""
    from .solvers import pyomo as pyomo_solver

    words = pyomo_solver.infeasible_words(condition)
    named = f" ({condition})" if words != "infeasible" and condition != words else ""
    changed = pyomo_solver.edits(pyomo_model, model)
    if not changed and words == "infeasible" and isinstance(model, NetworkModel):
        return InfeasiblePolicyError(explain_infeasibility(model))
    unbounded = ("; a cost unbounded below comes of such a change (a variable of your own in the objective "
                 "without a bound)") if words != "infeasible" else ""
    why = (f"it was changed since it was built ({'; '.join(changed)}){unbounded}: solve the network and "
           "policy without the changes for the library's explanation of what the policy lacks" if changed
           else "no further explanation is given for a roadmap's model: solve the network and policy for "
           "the library's own" if isinstance(model, RoadmapModel)
           else "solve the network and policy for the library's explanation")
    return InfeasiblePolicyError([f"{solver} reports the pyomo model {words}{named}; {why}"])


def pyomo_report(pyomo_model: Any, model: NetworkModel | RoadmapModel, x: np.ndarray,
                 result: SolverResult, changed: list[str] | None = None) -> SolveReport:
    """The report of a plan read back from a pyomo model: certified when it holds every row of
    the model as built (:func:`~resilient_sc.solvers.certify.is_feasible`); its note says what
    was changed in the pyomo model (:func:`~resilient_sc.solvers.pyomo.edits`), so that the
    policy shown is not read as all the plan was solved under (``changed``: found when not given)."""
    from .solvers import pyomo as pyomo_solver

    t = time.perf_counter()
    ok = is_feasible(model.lm, x)
    changed = pyomo_solver.edits(pyomo_model, model) if changed is None else changed
    said = (f" changed since it was built ({'; '.join(changed)}): the policy shown is not all it was "
            "solved under")
    note = ("read back from a pyomo model" + (said if changed else "")
            + ("" if ok else "; its plan breaks rows of the model as built: not certified")
            + (f"; {result.note}" if result.note else ""))
    return SolveReport("pyomo", 0.0, result.solve_time, time.perf_counter() - t, None, result.bound,
                       note=note, certified=ok)


def with_objective(plan: Plan, result: SolverResult, replaced: bool = False) -> Plan:
    """``plan`` costing the solved objective: a part the model as built does not have (a term the user
    added to a pyomo model's objective) becomes its :data:`~resilient_sc.results.EXTENSION` line,
    and the gap is that of this cost to the solver's bound. An objective ``replaced`` (another
    objective than ``total_cost``, or maximised: its value is no cost, CO2 or pieces maybe) leaves
    the plan its own cost, with no bound or gap on it (the solver's are the objective's; the plan's
    note names the objective). Its bound NaN marks it so for :meth:`Plan.summary`."""
    if replaced:
        return dataclasses.replace(plan, bound=math.nan, gap=math.nan)
    if not math.isfinite(result.objective):
        return plan
    extra = result.objective - plan.objective
    breakdown = plan.breakdown
    if abs(extra) > 1e-9 * max(1.0, abs(result.objective)):
        breakdown = pd.concat([breakdown, pd.Series({EXTENSION: extra})]).rename(breakdown.name)
    gap = plan.gap
    if math.isfinite(result.bound):
        gap = abs(result.objective - result.bound) / max(abs(result.objective), 1e-10)
        gap = 0.0 if gap <= 1e-9 else gap
    return dataclasses.replace(plan, breakdown=breakdown, objective=float(result.objective), gap=gap)


def single_period(model: NetworkModel | Any) -> NetworkModel:
    """``model`` unless it is a roadmap's, solved and read back elsewhere, or no model at all:
    a clear error."""
    if isinstance(model, RoadmapModel):
        raise ValidationError(["(model) | this pyomo model is a roadmap's (its data has periods): solve it "
                               "with pyo.SolverFactory('highs').solve(m, options=highs_options(m)) "
                               "(resilient_sc.solvers.pyomo), your changes kept, and read it back with "
                               "resilient_sc.roadmap.roadmap_from_pyomo(m, results=results); or solve the "
                               "roadmap as built with solve_roadmap(network, policy, "
                               "SolveOptions(backend='pyomo'))"], "in the model given")
    if not isinstance(model, NetworkModel):
        raise ValidationError([f"(network_model) | {brief(model)} is a {type(model).__name__}, not a "
                               "NetworkModel: leave it out to read the model the pyomo model was built "
                               "from"], "in the arguments given")
    return model


def solver_seconds(results: Any) -> float | None:
    """The seconds a pyomo solver reports in its ``results``: the wall time of pyomo's newer
    interface (``timing_info.wall_time``), else the legacy ``solver.wallclock_time`` or
    ``solver.time`` (pyomo 6.9's HiGHS gives it); None where it reports none (6.10's legacy HiGHS)."""
    legacy = getattr(results, "solver", None)
    for seconds in (getattr(getattr(results, "timing_info", None), "wall_time", None),
                    getattr(legacy, "wallclock_time", None), getattr(legacy, "time", None)):
        if is_number(seconds) and math.isfinite(seconds) and seconds >= 0:
            return float(seconds)
    return None


def pyomo_solution(pyomo_model: Any, model: Any, solve_time: float | None = None, results: Any = None,
                   changed: list[str] | None = None) -> tuple[SolverResult, dict[str, Any]]:
    """(result, per-block values) of a pyomo model solved by any pyomo solver: the status and
    bound read from the solver's ``results`` (None: taken as optimal), the objective the active
    one's value. A solve without a plan raises: :class:`InfeasiblePolicyError` (infeasible, or
    unbounded: said which), :class:`NotOptimalError` (no value loaded, or values of a solve before
    the model changed: ``changed``, its :func:`~resilient_sc.solvers.pyomo.edits`, found when not
    given)."""
    from .solvers import pyomo as pyomo_solver

    maximise = pyomo_solver.maximised(pyomo_model)
    status, bound, condition = pyomo_solver.status_of(results, maximise)
    if status is Status.INFEASIBLE:
        raise pyomo_infeasible(pyomo_model, model, condition, "the solver")
    incumbent = pyomo_solver.incumbent_of(results, maximise)
    stopped = NotOptimalError(f"no plan: the solver stopped ({condition}) before any feasible plan was "
                              "found; give it more time", status=status.value)
    if incumbent is not None and not math.isfinite(incumbent) and status is not Status.OPTIMAL:
        raise stopped  # (an optimal solve's legacy results may leave upper_bound unset: inf)
    try:
        values = pyomo_solver.block_values(pyomo_model, model)
    except NotOptimalError:  # nothing loaded: the solver's own word first, when it stopped early
        if status is not Status.OPTIMAL and results is not None:
            raise stopped from None
        raise
    objective = pyomo_solver.objective_value(pyomo_model)
    tol = 1e-6 * max(1.0, abs(objective))
    if ((incumbent is not None and math.isfinite(incumbent) and abs(objective - incumbent) > tol)
            or (math.isfinite(bound) and (objective - bound if maximise else bound - objective) > tol)):
        found = money(incumbent) if incumbent is not None else f"at least its bound {money(bound)}"
        raise NotOptimalError(f"the pyomo model's values are not this solve's: they cost {money(objective)}, "
                              f"the solver's plan {found}: {pyomo_solver.STALE_VALUES}", status=status.value)
    if broken := pyomo_solver.broken_rows(pyomo_model, model, changed):
        raise NotOptimalError(f"the pyomo model's values break {count(len(broken), 'row')} it holds "
                              f"({listing(broken, 3)}): {pyomo_solver.STALE_VALUES}",
                              status=Status.ERROR.value)
    if status is Status.OPTIMAL and not math.isfinite(bound):  # no results, or none with a bound
        bound = objective
    gap = abs(objective - bound) / max(abs(objective), 1e-10) if math.isfinite(bound) else math.inf
    gap = 0.0 if gap <= 1e-9 else gap
    library_gap = SolveOptions().mip_gap
    if status is Status.OPTIMAL and gap > library_gap * (1 + 1e-6):
        warn(f"the solver proved this plan within a gap of {gap:.2e} only (its own relative MIP "
             f"gap: 1e-4 by default in HiGHS, Gurobi and CPLEX), not the library's "
             f"{library_gap:g}: its objective may be that fraction worse than the optimum; set the "
             "solver's gap (HiGHS: options=resilient_sc.solvers.pyomo.highs_options(m); Gurobi: "
             "'MIPGap'; CPLEX: 'mipgap') or solve with resilient_sc.optimize.solve_pyomo",
             RunWarning)
    seconds = solve_time if solve_time is not None else solver_seconds(results)
    result = SolverResult(status, None, objective, bound, gap, float(seconds or 0.0),
                          f"{status.value} (pyomo)",
                          note="" if seconds is not None else "solve time not given (0 s shown)")
    return result, values


def plan_from_pyomo(pyomo_model: Any, network_model: NetworkModel | None = None,
                    solve_time: float | None = None, results: Any = None) -> Plan:
    """A :class:`~resilient_sc.results.Plan` from a pyomo model solved by any pyomo solver.

    Pass the solver's ``results`` (what ``SolverFactory(...).solve`` returned) to have the plan's
    status, bound and gap read from it: a solve stopped at its time limit is then a
    ``time_limit`` plan with its gap, not one proven optimal, and an infeasible one an
    :class:`InfeasiblePolicyError` (solve with ``load_solutions=False``: else pyomo raises its
    own error first; without ``results`` the values loaded are taken as an optimal solve's).
    The values are read within the bounds of the pyomo variables as they stand (a bound you
    changed is the one solved); the cost is the active objective's (:func:`with_objective`).
    ``network_model`` defaults to the one the pyomo model was converted from; ``solve_time`` in
    seconds (when not given, the solver's own where ``results`` has it, pyomo's newer interface;
    else 0, the plan's note saying so).
    """
    from .solvers import pyomo as pyomo_solver

    model = single_period(network_model if network_model is not None
                          else pyomo_solver.network_model_of(pyomo_model))
    changed = pyomo_solver.edits(pyomo_model, model)  # once: the values' check and the note
    result, values = pyomo_solution(pyomo_model, model, solve_time, results, changed)
    report = pyomo_report(pyomo_model, model, pyomo_solver.column_vector(model, values), result, changed)
    return with_objective(Plan.from_values(model, values, result, report), result,
                          bool(pyomo_solver.replaced_objective(pyomo_model)))
