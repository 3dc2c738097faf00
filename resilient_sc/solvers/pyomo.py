"""The model as a readable pyomo ``ConcreteModel``, generated from the blocks of the LinearModel,
and its solve through pyomo's HiGHS interface.

Every variable block becomes a ``Var`` named after it (``hub_opened['H1']``), indexed by
the set ``<block>_index`` of its index tuples; every constraint family becomes one
``Constraint`` (``demand['Paris','default']``); every cost component becomes an
``Expression`` ``cost_<component>``, and the objective ``total_cost`` is their sum. Nothing
here knows a family by name, so families added to the build appear on their own. A one-period
model also has the ``Expression`` ``emissions``, the plan's CO2 (CO2 units), for a budget or a
price of one's own.

Build, extend, solve, read back::

    m = to_pyomo(examples.electronics(), Policy(min_local_share=0.5))
    m.hub_opened["H_Busan"].fix(0)                     # any pyomo edit
    results = pyo.SolverFactory("highs").solve(m, options=highs_options(m))  # HiGHS via highspy
    plan = plan_from_pyomo(m, results=results)         # resilient_sc.optimize

(:func:`highs_options` are the library's: its gap, 1e-6, where HiGHS stops at 1e-4 by
default, and the costs scaled as its own solves scale them, without which HiGHS returned plans
up to 2.7e-5 dearer, said optimal, on money in millions. A plan read back with its ``results``
has the solver's bound and gap, and a warning when the gap is above 1e-6.)

A plan read back has the values of the pyomo variables within their bounds as they stand, and
the cost of the active objective (a term you added is its own ``extension`` line); a roadmap's
model (data with periods) is read back by :func:`resilient_sc.roadmap.roadmap_from_pyomo`.

:func:`solve` returns a :class:`~resilient_sc.solvers.base.SolverResult`; the Plan, the
explanation of an infeasible model and the not-optimal errors are
:mod:`resilient_sc.optimize`'s (``solve_model`` with ``SolveOptions(backend="pyomo")``, or
``solve_pyomo`` for an extended pyomo model). pyomo is imported by this module only, never on
``import resilient_sc``.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

from ..data import Network
from ..exceptions import NotOptimalError, ResilientSCError, ValidationError
from ..format import CERTIFY_TOLERANCE, count
from ..model.build import NetworkModel
from ..model.linear import ConBlock, VarBlock
from ..model.roadmap import RoadmapModel, build_any
from ..model.sets import emission_factors
from ..policy import Policy
from ..wording import listing
from .base import SolveOptions, SolverResult, Status, given_options
from .highs import MIP_ABS_GAP, StoppableHighs, objective_scale, until, use_threads

#: the attribute of a converted pyomo model that holds its NetworkModel
NETWORK_MODEL_ATTR = "_network_model"
#: the pyomo solver (``pyomo.contrib.solver``, HiGHS through highspy) used by :func:`solve`
PYOMO_SOLVER = "highs"


def to_pyomo(network: Network, policy: Policy | None = None,
             strong_links: bool = True) -> pyo.ConcreteModel:
    """Build the model of ``network`` under ``policy`` (its roadmap when it has a ``periods``
    table) and convert it to pyomo.

    Each variable block is a ``Var`` and each constraint family a ``Constraint`` named after it,
    indexed by tuples of ids that its ``doc`` names (``m.outbound_flow.doc``: ``outbound_flow[hub,
    market, product, origin]: ...``); each cost component is an ``Expression`` ``cost_<component>``
    (money), the objective ``total_cost`` their sum, minimised, and a one-period model has the
    ``Expression`` ``emissions`` (CO2 units). ``strong_links`` adds the rows that tie each flow
    to its supplier's or hub's binary (docs/formulation.md has every family and its units).
    Read a solved model back with :func:`resilient_sc.optimize.plan_from_pyomo`.

    >>> from resilient_sc import examples
    >>> to_pyomo(examples.tiny()).hub_opened.doc
    'hub_opened[hub]: variables of the model as built (docs/formulation.md)'
    """
    return model_to_pyomo(build_any(network, policy, strong_links=strong_links))


def model_to_pyomo(model: NetworkModel | RoadmapModel) -> pyo.ConcreteModel:
    """A pyomo ``ConcreteModel`` with one component per block of ``model.lm``.

    The model keeps ``model`` as attribute ``_network_model`` for
    :func:`~resilient_sc.optimize.plan_from_pyomo`.
    """
    lm = model.lm
    m = pyo.ConcreteModel(name=f"resilient_sc {model.network.source}".strip())
    columns: list[Any] = []  # pyomo variable of each global column, in column order
    for vblock in lm.variables.values():
        columns.extend(_add_variables(m, vblock))
    for cblock in lm.constraints.values():
        _add_constraints(m, cblock, columns)
    components = []
    for component, parts in lm.costs.items():
        cols = np.concatenate([c for c, _ in parts]) if parts else np.empty(0, np.int64)
        coef = np.concatenate([v for _, v in parts]) if parts else np.empty(0)
        unique, inverse = np.unique(cols, return_inverse=True)
        summed = np.bincount(inverse, weights=coef, minlength=len(unique))
        keep = summed != 0
        expr = pyo.Expression(expr=_linear(unique[keep].tolist(), summed[keep].tolist(), columns),
                              doc=f"the plan's {component} cost (money): a term of total_cost")
        m.add_component(f"cost_{component}", expr)
        components.append(expr)
    m.total_cost = pyo.Objective(expr=sum(components), sense=pyo.minimize,
                                 doc="the plan's cost (money): the sum of the cost_<component> expressions")
    if isinstance(model, NetworkModel):  # the plan's CO2 (Plan.emissions): a budget or price of one's own
        co2_x, co2_y = emission_factors(model.sets)
        x, y = lm.variables["inbound_flow"], lm.variables["outbound_flow"]
        cols = np.concatenate([x.start + np.arange(x.size), y.start + np.arange(y.size)])
        coefs = np.concatenate([co2_x, co2_y])
        emits = coefs != 0
        m.emissions = pyo.Expression(expr=_linear(cols[emits].tolist(), coefs[emits].tolist(), columns),
                                     doc="the plan's CO2 (CO2 units): co2 per unit × units made and shipped")
    setattr(m, NETWORK_MODEL_ATTR, model)
    return m


def _keys(index: pd.DataFrame) -> list[Any] | None:
    """Pyomo index keys of a block (strings or tuples of strings); None for a scalar block.

    A block without index columns (or with repeated index rows) is indexed by position.
    """
    n, ncols = index.shape
    if ncols == 0:
        return None if n == 1 else list(range(n))
    cols = [index[c].astype(str).tolist() for c in index.columns]
    keys: list[Any] = cols[0] if ncols == 1 else list(zip(*cols, strict=True))
    return keys if len(set(keys)) == n else list(range(n))


def _doc(block: VarBlock | ConBlock, keys: list[Any] | None, kind: str) -> str:
    """A component's ``doc``: what its index tuples hold, ``outbound_flow[hub, market, product,
    origin]`` (the families and their units: docs/formulation.md)."""
    named = keys is not None and not (keys and isinstance(keys[0], int)) and len(block.index.columns)
    return (f"{block.name}[{', '.join(map(str, block.index.columns))}]" if named
            else block.name) + f": {kind} of the model as built (docs/formulation.md)"


def _index_set(m: pyo.ConcreteModel, name: str, keys: list[Any]) -> pyo.Set:
    dimen = len(keys[0]) if keys and isinstance(keys[0], tuple) else 1
    s = pyo.Set(initialize=keys, dimen=dimen, ordered=True)
    m.add_component(f"{name}_index", s)
    return s


def _bound(values: np.ndarray) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values.tolist()]


def _domain(block: VarBlock) -> Any:
    nonneg = bool((block.lower >= 0).all())
    if block.integer:
        if nonneg and bool((block.upper <= 1).all()):
            return pyo.Binary
        return pyo.NonNegativeIntegers if nonneg else pyo.Integers
    return pyo.NonNegativeReals if nonneg else pyo.Reals


def _add_variables(m: pyo.ConcreteModel, block: VarBlock) -> list[Any]:
    """Add ``Var`` ``block.name``; return its variables in block order."""
    lower, upper = _bound(block.lower), _bound(block.upper)
    keys = _keys(block.index)
    domain = _domain(block)
    if keys is None:
        var = pyo.Var(domain=domain, bounds=(lower[0], upper[0]), doc=_doc(block, keys, "variables"))
        m.add_component(block.name, var)
        return [var]
    index = _index_set(m, block.name, keys)
    uniform = len(set(lower)) <= 1 and len(set(upper)) <= 1
    bounds: Any = ((lower[0], upper[0]) if uniform and keys
                   else dict(zip(keys, zip(lower, upper, strict=True), strict=True)))
    var = pyo.Var(index, domain=domain, bounds=bounds, doc=_doc(block, keys, "variables"))
    m.add_component(block.name, var)
    return list(var.values())  # in the order of the index set: block order


def _linear(cols: list[int], coefs: list[float], columns: list[Any]) -> LinearExpression:
    """Σ coef · column as one flat LinearExpression (unit coefficients left out)."""
    return LinearExpression([columns[j] if a == 1.0 else MonomialTermExpression((a, columns[j]))
                             for j, a in zip(cols, coefs, strict=True)])


def _relation(lo: float | None, expr: LinearExpression, up: float | None) -> Any:
    if lo is not None and lo == up:
        return EqualityExpression((expr, lo))
    if lo is None and up is None:
        return pyo.Constraint.Skip  # a free row constrains nothing
    if lo is None:
        return InequalityExpression((expr, up), False)
    if up is None:
        return InequalityExpression((lo, expr), False)
    return RangedExpression((lo, expr, up), (False, False))


def _add_constraints(m: pyo.ConcreteModel, block: ConBlock, columns: list[Any]) -> None:
    """Add ``Constraint`` ``block.name``: row i is ``lower[i] <= Σ A[i, j] x[j] <= upper[i]``."""
    # one stable sort by row keeps the family's term order; each row is then a slice
    keep = block.vals != 0
    order = np.argsort(block.rows[keep], kind="stable")
    rows_sorted = block.rows[keep][order]
    start = np.searchsorted(rows_sorted, np.arange(block.size + 1)).tolist()
    cols, vals = block.cols[keep][order].tolist(), block.vals[keep][order].tolist()
    lower, upper = _bound(block.lower), _bound(block.upper)
    rows = [_relation(lower[i], _linear(cols[start[i]:start[i + 1]], vals[start[i]:start[i + 1]],
                                        columns), upper[i]) for i in range(block.size)]
    keys = _keys(block.index)
    if keys is None:
        m.add_component(block.name, pyo.Constraint(expr=rows[0], doc=_doc(block, keys, "constraints")))
        return
    index = _index_set(m, block.name, keys)
    m.add_component(block.name, pyo.Constraint(index, rule=dict(zip(keys, rows, strict=True)),
                                               doc=_doc(block, keys, "constraints")))


# ---- reading a solved pyomo model back ---------------------------------------------------
def network_model_of(pyomo_model: pyo.ConcreteModel) -> NetworkModel | RoadmapModel:
    """The NetworkModel a pyomo model was converted from."""
    model = getattr(pyomo_model, NETWORK_MODEL_ATTR, None)
    if not isinstance(model, NetworkModel | RoadmapModel):
        given = "" if isinstance(pyomo_model, pyo.Block) else f" (it is a {type(pyomo_model).__name__})"
        raise ValidationError([f"(model) | not a pyomo model made by resilient_sc.solvers.pyomo.to_pyomo"
                               f"{given}: convert the network with to_pyomo(network, policy) (to read "
                               "back a pyomo model of your own, pass plan_from_pyomo the NetworkModel it "
                               "was built from as network_model)"])
    return model


#: what values that do not fit a pyomo model as it stands are, and what to do
STALE_VALUES = ("an earlier solve's? solve the model again after changing it, and load the solution of a "
                "solve with load_solutions=False (model.solutions.load_from(results))")

#: how far from a whole number a whole variable's value may be and still be read as a plan (a
#: solver's integrality tolerance is 1e-6 to 1e-5; the certificate judges what lies between)
INTEGRALITY = 1e-4


def block_values(pyomo_model: pyo.ConcreteModel, model: NetworkModel | RoadmapModel) -> dict[str, np.ndarray]:
    """The value of every variable block, in block order, clipped into the bounds of its pyomo
    ``Var`` as it stands (a bound the user changed -- an existing contract ended -- is the one
    solved, not the one built) where it is off them by round-off only.

    Variables the solver did not see (in no constraint and no cost) count as their lower
    bound, or 0; a model that holds no value at all has not been solved (or its solution was
    not loaded): :class:`NotOptimalError`, and so is one whose values are outside bounds by more
    than :data:`~resilient_sc.format.CERTIFY_TOLERANCE` × max(1, |bound|) (an earlier solve's
    values, the bound changed after it: read back, a hub closed after the solve still carried
    51,790 units, its fixed cost booked as an extension); whole variables off a whole number by
    more than :data:`INTEGRALITY` (a relaxation's) are no plan: :class:`ResilientSCError`.
    """
    values, seen, fractional, outside = {}, False, [], []
    for name, block in model.lm.variables.items():
        var = pyomo_model.component(name)
        data = (list(var.values()) if var.is_indexed() else [var]) if isinstance(var, pyo.Var) else []
        if len(data) != block.size:
            held = f"{len(data)} entries" if isinstance(var, pyo.Var) else "no such Var"
            raise ValidationError([f"(model) | the pyomo model's Var {name!r} has {held}, the model as built "
                                   f"{block.size}: keep the model's variables as built (add your own beside "
                                   "them) to read a plan back"], "in the model given")
        raw = np.array([np.nan if v.value is None else v.value for v in data], dtype=float)
        lower = np.array([-np.inf if v.lb is None else v.lb for v in data], dtype=float)
        upper = np.array([np.inf if v.ub is None else v.ub for v in data], dtype=float)
        seen = seen or not np.isnan(raw).all()
        raw = np.where(np.isnan(raw), np.where(np.isfinite(lower), lower, 0.0), raw)
        with np.errstate(invalid="ignore"):  # inf - inf: a free variable
            off = np.fmax(lower - raw - _slack(lower), raw - upper - _slack(upper))
        outside += [f"{data[k].name} = {raw[k]:.7g} (bounds {_bound_text(lower[k])} to "
                    f"{_bound_text(upper[k])})" for k in np.flatnonzero(off > 0)]
        values[name] = np.clip(raw, lower, upper)
        if block.integer:
            off = np.flatnonzero(np.abs(values[name] - np.round(values[name])) > INTEGRALITY)
            fractional += [f"{data[k].name} = {values[name][k]:.7g}" for k in off]
    if not seen and any(len(v) for v in values.values()):  # (no variable at all: nothing to hold)
        raise NotOptimalError("the pyomo model holds no solution: solve it first (and load the solution: "
                              "pyomo's load_solutions=False leaves it unloaded)", status=Status.ERROR.value)
    if outside:
        raise NotOptimalError(f"the pyomo model's values are outside the bounds of its variables "
                              f"({listing(outside, 3)}): {STALE_VALUES}",
                              status=Status.ERROR.value)
    if fractional:
        raise ResilientSCError(f"the pyomo model's whole variables hold fractional values "
                               f"({listing(fractional, 3)}): a relaxation's values are no network design to "
                               "read back as a plan; read the pyomo variables themselves, or keep them whole")
    return values


def _slack(bound: np.ndarray) -> np.ndarray:
    """How far past ``bound`` a solver's value may lie by round-off: the certificate's tolerance
    × max(1, |bound|)."""
    with np.errstate(invalid="ignore"):
        return CERTIFY_TOLERANCE * np.fmax(1.0, np.abs(bound))


def _bound_text(bound: float) -> str:
    return f"{bound:.7g}" if math.isfinite(bound) else "none"


def broken_rows(pyomo_model: pyo.ConcreteModel, model: NetworkModel | RoadmapModel,
                changed: list[str] | None = None) -> list[str]:
    """The active rows of ``pyomo_model`` as it stands that the values it holds break by more
    than :data:`~resilient_sc.format.CERTIFY_TOLERANCE` (scaled by the row's largest coefficient,
    as the certificate scales rows), named with their value and bound (``cn_cap: 64,400 > 1,000``):
    the values of a solve before the model was changed (read back, a plan delivered 64,400
    China-made units under a cap of 1,000 added after the solve, said optimal). Looked at only in
    a model changed since it was built (``changed``: its :func:`edits`, found when not given): the
    rows as built are the certificate's."""
    from pyomo.repn import generate_standard_repn

    if not (edits(pyomo_model, model) if changed is None else changed):
        return []
    broken = []
    for row in pyomo_model.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(row.body, exception=False)
        if body is None:
            continue  # a variable without a value: the solver never saw it
        lower, upper = pyo.value(row.lower), pyo.value(row.upper)
        over = max(-math.inf if upper is None else body - upper, -math.inf if lower is None else lower - body)
        if over <= CERTIFY_TOLERANCE:  # under any scale: a row's scale is at least 1
            continue
        repn = generate_standard_repn(row.body, compute_values=True)
        scale = max([1.0, *(abs(float(c)) for c in repn.linear_coefs)])
        if over > CERTIFY_TOLERANCE * scale:
            above = upper is not None and body > upper  # an equality row has both bounds alike
            broken.append(f"{row.name}: {body + 0.0:,.7g} {'>' if above else '<'} "  # + 0.0: no '-0'
                          f"{upper if above else lower:,.7g}")
    return broken


#: the largest model whose rows' coefficients :func:`edits` compares with the model as built
#: (about 50 µs a row)
COMPARED_ROWS = 100_000


def _data(component: Any) -> list[Any]:
    """The data objects of an indexed or scalar pyomo component, in index order."""
    return list(component.values()) if component.is_indexed() else [component]


def edits(pyomo_model: pyo.ConcreteModel, model: NetworkModel | RoadmapModel) -> list[str]:
    """What was changed in ``pyomo_model`` since it was built from ``model``, in words: rows
    added, rows of the model deactivated or with other bounds (its right-hand side) or other
    coefficients (compared up to :data:`COMPARED_ROWS` rows), variables fixed, with other bounds
    or, whole, made continuous, variables added, terms added to ``total_cost`` (the plan's
    :data:`~resilient_sc.results.EXTENSION` line) and the objective replaced. Empty: solved as
    built."""
    from pyomo.repn import generate_standard_repn

    built = set(model.lm.constraints)
    new = [c for c in pyomo_model.component_objects(pyo.Constraint, active=True) if c.name not in built]
    added = sum(1 for c in new for d in _data(c) if d.active)
    column: dict[int, int] = {}
    moved, relaxed, held = 0, 0, []
    for name, vblock in model.lm.variables.items():
        var = pyomo_model.component(name)
        data = _data(var) if isinstance(var, pyo.Var) else []
        if len(data) != vblock.size:
            continue  # block_values says so
        column.update((id(v), vblock.start + k) for k, v in enumerate(data))
        lower = np.array([-np.inf if v.lb is None else v.lb for v in data], dtype=float)
        upper = np.array([np.inf if v.ub is None else v.ub for v in data], dtype=float)
        moved += int(((lower != vblock.lower) | (upper != vblock.upper)).sum())
        relaxed += sum(1 for v in data if not v.is_integer()) if vblock.integer else 0
        held += [v for v in data if v.fixed]
    a = model.lm.matrix().tocsr() if model.lm.n_rows <= COMPARED_ROWS else None
    off = rebound = recoefficient = 0
    with _unfixed(held):  # a fixed variable read as a variable, not as a constant, in the rows
        for name, block in model.lm.constraints.items():
            rows, data, missing = _built_rows(pyomo_model.component(name), block)
            off += missing
            active = np.array([d.active for d in data], dtype=bool)
            off += int((~active).sum())
            lower = np.array([-np.inf if d.lower is None else pyo.value(d.lower) for d in data], dtype=float)
            upper = np.array([np.inf if d.upper is None else pyo.value(d.upper) for d in data], dtype=float)
            rebound += int((active & ((lower != block.lower[rows]) | (upper != block.upper[rows]))).sum())
            if a is not None:
                recoefficient += sum(1 for d, row in zip(data, rows + block.start, strict=True) if d.active
                                     and not _same_row(generate_standard_repn(d.body, compute_values=True), a,
                                                       row, column))
    said = [(added, "row", "added"), (off, "row of the model", "deactivated"),
            (rebound, "row of the model", "with other bounds"),
            (recoefficient, "row of the model", "with other coefficients"), (len(held), "variable", "fixed"),
            (moved, "variable", "with other bounds"), (relaxed, "whole variable", "made continuous")]
    plural = {"row of the model": "rows of the model"}
    variables = [v.name for v in pyomo_model.component_objects(pyo.Var) if v.name not in model.lm.variables]
    replaced = replaced_objective(pyomo_model)
    with _unfixed(held):  # total_cost as a row of costs (a fixed variable's cost a term, not a constant)
        termed = not replaced and not _same_row(generate_standard_repn(
            pyomo_model.component("total_cost").expr, compute_values=True),
            sp.csr_matrix(model.lm.objective()), 0, column)
    named = {"added": f" ({listing([c.name for c in new], 3)})"}  # the user's own components
    return ([f"{count(n, what, plural.get(what, ''))} {how}{named.get(how, '')}"
             for n, what, how in said if n]
            + [f"{count(len(variables), 'variable')} added ({listing(variables, 3)})"] * bool(variables)
            + ["terms added to or changed in total_cost"] * termed + [replaced] * bool(replaced))


def _built_rows(con: Any, block: Any) -> tuple[np.ndarray, list[Any], int]:
    """(positions in ``block`` of the rows the pyomo Constraint ``con`` still holds, their data
    objects, how many of the block's rows it no longer holds: deleted, or ``con`` gone). A free
    row of the block was never built (:func:`_relation`)."""
    built = np.flatnonzero(np.isfinite(block.lower) | np.isfinite(block.upper))
    if not isinstance(con, pyo.Constraint):
        return built[:0], [], len(built)
    keys = _keys(block.index)
    if keys is None:  # a scalar row
        return built, [con][:len(built)], 0
    held = [i for i in built if keys[i] in con]
    return np.asarray(held, dtype=np.int64), [con[keys[i]] for i in held], len(built) - len(held)


@contextmanager
def _unfixed(variables: list[Any]) -> Iterator[None]:
    """``variables`` (fixed) unfixed for the block, fixed again at their values after."""
    for v in variables:
        v.unfix()  # its value stays
    try:
        yield
    finally:
        for v in variables:
            v.fix()  # at the value it kept, not validated again against its domain


def _same_row(repn: Any, a: Any, row: int, column: dict[int, int]) -> bool:
    """Whether a pyomo row's standard form is row ``row`` of the built matrix ``a`` (CSR)."""
    if repn.nonlinear_expr is not None or repn.quadratic_vars or repn.constant:
        return False
    given: dict[int, float] = {}
    for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        if (col := column.get(id(v))) is None:  # a variable of the user's own
            return False
        given[col] = given.get(col, 0.0) + float(coef)
    lo, hi = a.indptr[row], a.indptr[row + 1]
    want = {int(c): float(v) for c, v in zip(a.indices[lo:hi], a.data[lo:hi], strict=True) if v}
    given = {c: v for c, v in given.items() if v}
    return given.keys() == want.keys() and all(math.isclose(given[c], want[c], rel_tol=1e-12) for c in want)


def column_vector(model: NetworkModel, values: dict[str, np.ndarray]) -> np.ndarray:
    """The model's column vector of per-block values."""
    x = np.zeros(model.lm.n_cols)
    for name, block in model.lm.variables.items():
        x[block.start:block.start + block.size] = values[name]
    return x


# ---- solving through pyomo ---------------------------------------------------------------
#: a pyomo termination condition's name (either interface) -> Status (any other: an error); an
#: unbounded model has no plan either: :attr:`Status.INFEASIBLE`, :func:`infeasible_words` says which
CONDITIONS = {"optimal": Status.OPTIMAL, "convergenceCriteriaSatisfied": Status.OPTIMAL,
              "maxTimeLimit": Status.TIME_LIMIT, "infeasible": Status.INFEASIBLE,
              "provenInfeasible": Status.INFEASIBLE, "locallyInfeasible": Status.INFEASIBLE,
              "infeasibleOrUnbounded": Status.INFEASIBLE, "unbounded": Status.INFEASIBLE,
              "iterationLimit": Status.INTERRUPTED, "interrupted": Status.INTERRUPTED,
              # the legacy interface's (pyo.SolverFactory): stopped early, or a solution not proven
              "globallyOptimal": Status.OPTIMAL, "maxIterations": Status.INTERRUPTED,
              "maxEvaluations": Status.INTERRUPTED, "userInterrupt": Status.INTERRUPTED,
              "resourceInterrupt": Status.INTERRUPTED, "locallyOptimal": Status.INTERRUPTED,
              "feasible": Status.INTERRUPTED, "minFunctionValue": Status.INTERRUPTED,
              "minStepLength": Status.INTERRUPTED}


def status_of(results: Any, maximise: bool = False) -> tuple[Status, float, str]:
    """(status, bound, termination condition's name) of a pyomo solve's ``results``, from either
    pyomo interface (the legacy ``results.solver.termination_condition`` or the newer
    ``results.termination_condition``; the legacy bound of a ``maximise`` objective is its
    ``upper_bound``). None: taken as optimal (the bound: nan, the caller's objective)."""
    if results is None:
        return Status.OPTIMAL, math.nan, "optimal"
    legacy = getattr(results, "solver", None)
    condition = (getattr(results, "termination_condition", None)
                 or getattr(legacy, "termination_condition", None))
    name = str(getattr(condition, "name", condition))
    status = CONDITIONS.get(name, Status.ERROR)
    bound = getattr(results, "objective_bound", None)
    if bound is None and hasattr(results, "problem"):
        bound = getattr(results.problem, "upper_bound" if maximise else "lower_bound", None)
    try:
        return status, float(bound) if bound is not None else math.nan, name
    except (TypeError, ValueError):
        return status, math.nan, name


def incumbent_of(results: Any, maximise: bool = False) -> float | None:
    """The objective of the plan a pyomo solve's ``results`` found, from either interface (the
    newer ``results.incumbent_objective``, the legacy ``results.problem.upper_bound`` of a
    minimisation, ``lower_bound`` of a maximisation; ±inf when unset): ±inf when it found none,
    None when ``results`` does not say."""
    if results is None:
        return None
    value = getattr(results, "incumbent_objective", None)
    if value is None and hasattr(results, "problem"):
        value = getattr(results.problem, "lower_bound" if maximise else "upper_bound", None)
    try:
        if value is None:  # the newer interface's None: no plan found
            return math.inf if hasattr(results, "incumbent_objective") else None
        return float(value)
    except (TypeError, ValueError):
        return None


def infeasible_words(condition: str) -> str:
    """What a pyomo solve without a plan found, in words: ``infeasible``, or ``unbounded`` /
    ``infeasible or unbounded`` (an extension can make the cost unbounded below)."""
    return {"unbounded": "unbounded", "infeasibleOrUnbounded": "infeasible or unbounded"}.get(
        condition, "infeasible")


def active_objective(pyomo_model: pyo.ConcreteModel) -> Any:
    """The pyomo model's one active objective (``total_cost``, or the user's own)."""
    active = list(pyomo_model.component_data_objects(pyo.Objective, active=True))
    if len(active) != 1:
        names = f" ({listing([o.name for o in active], 3)})" if active else ""
        raise ValidationError([f"(model) | the pyomo model has {len(active)} active objectives{names}; one "
                               "is solved: deactivate the others (m.total_cost.deactivate() to solve your "
                               "own), or activate one"], "in the model given")
    return active[0]


def _at_rest(pyomo_model: pyo.ConcreteModel) -> bool:
    """Whether the model is empty (no active constraint, an objective of no variable: HiGHS's
    ``kModelEmpty``, which pyomo reports as 'unknown' with no solution), its variables then set to
    the value nearest 0 within their bounds: its one plan."""
    from pyomo.core.expr.visitor import identify_variables

    if next(pyomo_model.component_data_objects(pyo.Constraint, active=True), None) is not None or any(
            not v.fixed for v in identify_variables(active_objective(pyomo_model).expr)):
        return False
    for v in pyomo_model.component_data_objects(pyo.Var):
        if not v.fixed:
            low, high = (-math.inf if v.lb is None else v.lb), (math.inf if v.ub is None else v.ub)
            v.set_value(min(max(0.0, low), high))
    return True


def objective_value(pyomo_model: pyo.ConcreteModel) -> float:
    """The value of the pyomo model's active objective."""
    return float(pyo.value(active_objective(pyomo_model)))


def maximised(pyomo_model: pyo.ConcreteModel) -> bool:
    """Whether the active objective is maximised (a user's own: the model's cost is minimised)."""
    return bool(active_objective(pyomo_model).sense == pyo.maximize)


def replaced_objective(pyomo_model: pyo.ConcreteModel) -> str:
    """In words, the objective solved where it is not the model's ``total_cost`` minimised (then
    its value is no cost: the plan's cost is the model's, the bound the objective's): ``objective
    replaced by 'min_co2' (minimised)``; empty for ``total_cost``, its terms changed or not."""
    active = active_objective(pyomo_model)
    maximise = active.sense == pyo.maximize
    if active.parent_component() is pyomo_model.component("total_cost") and not maximise:
        return ""
    return f"objective replaced by {active.name!r} ({'maximised' if maximise else 'minimised'})"


def objective_costs(pyomo_model: pyo.ConcreteModel, network_model: NetworkModel) -> np.ndarray:
    """The linear coefficients of the objective solved: the model's costs, or those of an
    objective of the user's own (CO2 in tonnes where money is in millions: scaled as its own)."""
    if not replaced_objective(pyomo_model):
        return network_model.lm.objective()
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(active_objective(pyomo_model).expr, compute_values=True, quadratic=False)
    return np.array([float(c) for c in repn.linear_coefs], dtype=float)


def highs_options(pyomo_model: pyo.ConcreteModel, options: SolveOptions | None = None) -> dict[str, Any]:
    """HiGHS's options for solving ``pyomo_model`` as the library does (``options``' gap and
    seed; the default ones without): the relative and absolute MIP gaps and ``user_objective_scale``
    (:func:`~.highs.objective_scale`: costs of 1e-8 are under HiGHS's tolerances), for
    ``pyo.SolverFactory("highs").solve(m, options=highs_options(m))``.

    >>> from resilient_sc import examples
    >>> highs_options(to_pyomo(examples.tiny()))
    {'mip_rel_gap': 1e-06, 'mip_abs_gap': 1e-09, 'random_seed': 0, 'user_objective_scale': 0}
    """
    options = given_options(options)
    scale = objective_scale(objective_costs(pyomo_model, network_model_of(pyomo_model)))
    return {"mip_rel_gap": float(options.mip_gap), "mip_abs_gap": MIP_ABS_GAP * 2.0 ** -scale,
            "random_seed": int(options.seed), "user_objective_scale": scale}


_HIGHSPY_HIGHS = highspy.Highs
#: pyomo solves one at a time in a process: its capture of the output is the process's, and two
#: solves in two threads at once hung, or left sys.stdout closed (Pyomo issues #3084, #3908)
_ONE_AT_A_TIME = threading.Lock()


@contextmanager
def _stoppable() -> Iterator[None]:
    """pyomo's HiGHS interface makes its own ``highspy.Highs``: during the solve it is the
    library's :class:`~resilient_sc.solvers.highs.StoppableHighs`, whose run obeys stop requests as the
    direct path's (Ctrl-C stops HiGHS at its next callback and raises KeyboardInterrupt; pyomo's
    own handling let HiGHS run on, or reported a solver error)."""
    highspy.Highs = StoppableHighs
    try:
        yield
    finally:
        highspy.Highs = _HIGHSPY_HIGHS  # highspy's own, even when two solves overlap in threads


def solve(model: NetworkModel | pyo.ConcreteModel, options: SolveOptions | None = None,
          deadline: float = math.inf) -> SolverResult:
    """Solve with pyomo's HiGHS interface (same options and statuses as the direct path).

    ``model`` is a NetworkModel (converted here) or a pyomo model from :func:`to_pyomo`,
    possibly extended by the user. HiGHS gets the time left before ``deadline``
    (``time.perf_counter()`` seconds, the conversion counted), else ``options.time_limit``. The
    result's ``x`` holds the model's columns (:func:`block_values`), None without a plan; its
    ``message`` names the termination condition and the backend.
    """
    options = given_options(options)
    solver = SolverFactory(PYOMO_SOLVER)
    if not solver.available():
        raise ResilientSCError("backend='pyomo' needs pyomo's HiGHS interface (pyomo.contrib.solver's "
                               f"{PYOMO_SOLVER!r}, through highspy), which reports itself unavailable here: "
                               "reinstall highspy (pip install --force-reinstall highspy), or solve with "
                               "the default backend='highs'")
    m = model if isinstance(model, pyo.Block) else model_to_pyomo(model)
    network_model = network_model_of(m)
    options = until(options, deadline)
    solver_options = highs_options(m, options)  # costs of 1e-8 scaled: under HiGHS's tolerances
    rel_gap, abs_gap = solver_options.pop("mip_rel_gap"), solver_options.pop("mip_abs_gap")
    if options.log and options.log is not True:
        solver_options["log_file"] = str(options.log)
    start = time.perf_counter()
    with _ONE_AT_A_TIME, _stoppable():
        use_threads(int(options.threads or 0))  # pyomo's run asks this thread's scheduler for that many
        results = solver.solve(
            m, tee=[sys.stderr] if options.log is True else False, time_limit=options.time_limit,
            rel_gap=rel_gap, abs_gap=abs_gap, threads=options.threads,
            solver_options=solver_options, load_solutions=False,
            raise_exception_on_nonoptimal_result=False)
    elapsed = time.perf_counter() - start
    status = CONDITIONS.get(results.termination_condition.name, Status.ERROR)
    message = f"{results.termination_condition.name}, pyomo backend"
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if not has_solution and _at_rest(m):  # nothing to decide (every demand 0): HiGHS's 'empty', pyomo's
        status, message = Status.OPTIMAL, "optimal (empty model), pyomo backend"  # 'unknown' with no solution
    elif status is Status.INFEASIBLE or not has_solution:
        return SolverResult(status, None, math.nan, math.nan, math.inf, elapsed, message)
    else:
        results.solution_loader.load_vars()
    objective = objective_value(m)
    bound = results.objective_bound
    bound = objective if bound is None or not math.isfinite(bound) else float(bound)
    gap = abs(objective - bound) / max(abs(objective), 1e-10)
    if status is Status.OPTIMAL:
        gap = max(0.0, gap)
    x = column_vector(network_model, block_values(m, network_model))
    return SolverResult(status, x, objective, bound, gap, elapsed, message)
