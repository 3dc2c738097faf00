"""Single-source flow substitution: under single sourcing without shortfall, every flow
y[h,m,p,c] whose (h,m,p) has one origin c equals demand[m,p] · assign[h,m] in every plan, so HiGHS
solves the model with those columns substituted out (its LP relaxation no weaker), with only the
strong links that LP needs (:func:`_links_on_demand`). Before HiGHS, relax and fix gives a bound
and a plan from the LP relaxation (:func:`_relax_and_fix`)."""

from __future__ import annotations

import dataclasses
import math
import time
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import links
from .base import SolveOptions, SolverResult, Status, log_step, plan_gap
from .certify import TOLERANCE, row_scale
from .highs import Design, new_highs, pass_matrix, run_highs, set_start, tune, until

if TYPE_CHECKING:
    from ..model.build import NetworkModel

#: ``x = P @ x_kept`` and the kept columns
Projection = tuple[sp.csr_matrix, np.ndarray]


def recognise(model: NetworkModel) -> Projection | None:
    """``(P, keep)`` with ``x = P x_kept`` for the substitutable flows of ``model`` (variable
    blocks ``assign`` and ``outbound_flow``, no ``shortfall``); None when nothing qualifies."""
    lm, s = model.lm, getattr(model, "sets", None)
    if s is None or "assign" not in lm.variables or "shortfall" in lm.variables:
        return None  # (a roadmap has no one Sets: each of its periods has its own)
    yb, ab = lm.variables["outbound_flow"], lm.variables["assign"]
    flows = yb.index[["hub", "market", "product"]].reset_index(drop=True)
    single = ~flows.duplicated(keep=False).to_numpy()
    pair = pd.MultiIndex.from_frame(ab.index[["hub", "market"]]).get_indexer(
        pd.MultiIndex.from_frame(flows[["hub", "market"]]))
    d = pd.MultiIndex.from_frame(s.demand[["market", "product"]]).get_indexer(
        pd.MultiIndex.from_frame(flows[["market", "product"]]))
    sub = single & (pair >= 0) & (d >= 0)
    if not sub.any():
        return None
    n = lm.n_cols
    gone = np.zeros(n, bool)
    gone[yb.start + np.flatnonzero(sub)] = True
    keep = np.flatnonzero(~gone)
    new = np.full(n, -1, np.int64)
    new[keep] = np.arange(len(keep))
    rows = np.concatenate([keep, yb.start + np.flatnonzero(sub)])
    cols = np.concatenate([new[keep], new[ab.start + pair[sub]]])
    vals = np.concatenate([np.ones(len(keep)), s.demand_table["demand"][d[sub]]])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, len(keep))), keep


def snap(v: np.ndarray) -> np.ndarray:
    """Round values within 1e-9 (relative) of an integer: (c/d)·d is integral again."""
    r = np.round(v)
    return np.where(np.abs(v - r) <= 1e-9 * np.maximum(1.0, np.abs(v)), r, v)


#: share of the time left that the LP relaxation may take (interior point; else HiGHS gets the
#: projected model as it is)
LP_SHARE = 0.4
#: share of the time left after the LP that the MIP with the LP's whole assignments fixed may take
FIX_SHARE = 0.5
#: the interior point's LP optimum, less this relative slack for its tolerances, is the bound
IPM_SLACK = 1e-7
#: an LP assignment this close to 1 is whole; hubs with less than WHOLE_TOL stay closed
WHOLE_TOL = 1e-4
#: the least relative gap of the MIP with the whole assignments fixed (a plan, not a proof)
FIX_GAP = 1e-4


@dataclasses.dataclass(frozen=True)
class _Projected:
    """``min cost·x, row_lo ≤ a x ≤ row_up, col_lo ≤ x ≤ col_up`` over the kept columns."""

    a: sp.csr_matrix
    cost: np.ndarray
    col_lo: np.ndarray
    col_up: np.ndarray
    row_lo: np.ndarray
    row_up: np.ndarray
    integer: np.ndarray
    #: the row of the model each row is
    rows: np.ndarray

    def highs(self, options: SolveOptions, col_lo: np.ndarray | None = None,
              col_up: np.ndarray | None = None, relax: bool = False) -> highspy.Highs:
        """A HiGHS object of this model (other column bounds; no integrality when ``relax``)."""
        h = new_highs(options)
        pass_matrix(h, self.a, self.cost, self.col_lo if col_lo is None else col_lo,
                    self.col_up if col_up is None else col_up, self.row_lo, self.row_up,
                    np.zeros_like(self.integer) if relax else self.integer)
        return h

    def subset(self, keep: np.ndarray) -> _Projected:
        """This model with the rows ``keep`` (a mask) only."""
        return dataclasses.replace(self, a=self.a[keep], row_lo=self.row_lo[keep], row_up=self.row_up[keep],
                                   rows=self.rows[keep])


def _project(model: NetworkModel, projection: Projection) -> _Projected:
    proj, keep = projection
    lm = model.lm
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    full = lm.matrix()
    scale = row_scale(full)
    a = (full @ proj).tocsr()
    a.data[np.abs(a.data) <= 1e-9 * np.repeat(scale, np.diff(a.indptr))] = 0.0
    a.eliminate_zeros()
    rows = np.flatnonzero((np.diff(a.indptr) > 0) | (row_lo > 0) | (row_up < 0))
    a = whole_loads(a[rows], row_lo[rows], row_up[rows], col_lo[keep], col_up[keep], integer[keep])
    return _Projected(a, snap(proj.T @ lm.objective()), col_lo[keep], col_up[keep],
                      row_lo[rows], row_up[rows], integer[keep], rows)


def whole_loads(a: sp.csr_matrix, row_lo: np.ndarray, row_up: np.ndarray, col_lo: np.ndarray,
                col_up: np.ndarray, integer: np.ndarray) -> sp.csr_matrix:
    """``a`` with the capacity of each knapsack row rounded down to what whole loads can fill:
    in ``Σ_j w_j a_j − C·o ≤ 0`` over binaries, with whole weights w of greatest common divisor g,
    C becomes ⌊C/g⌋·g (the same whole plans; a market's assignment carries all its demand, so a
    hub of 222,460 holds at most 222,400 of markets whose demands are 100s), C plus the
    certificate's tolerance of the row's size rounded down (a plan it accepts is never cut off).
    The LP bound and HiGHS's cover cuts on these rows are the stronger: ladder L single
    sourcing, side by side for 600 s, bound 259,102,737 and gap 3.0e-5, against 259,088,074 and
    7.9e-5; ladder M proven in 54.6 s against 59.0 s; the three-market network of
    tests/test_projection.py, LP 36 = the optimum, against 33.

    >>> a = sp.csr_matrix(np.array([[600.0, 1200.0, -2250.0], [1.0, 1.0, -1.0]]))
    >>> ones = np.ones(3)
    >>> whole_loads(a, -np.inf * ones[:2], 0 * ones[:2], 0 * ones, ones, ones.astype(bool)).toarray().tolist()
    [[600.0, 1200.0, -1800.0], [1.0, 1.0, -1.0]]
    """
    binary = integer & (col_lo == 0) & (col_up == 1)
    a = a.tocsr(copy=True)
    n = a.shape[0]
    row = np.repeat(np.arange(n), np.diff(a.indptr))
    cap, weight = a.data < 0, a.data > 0
    odd = ~binary[a.indices] | (weight & ((a.data != np.round(a.data)) | (a.data > 2.0 ** 52)))
    rows = (np.isneginf(row_lo) & (row_up == 0) & (np.bincount(row[cap], minlength=n) == 1)
            & (np.bincount(row[odd], minlength=n) == 0) & (np.bincount(row[weight], minlength=n) > 0))
    at = np.flatnonzero(weight & rows[row])  # the weights of those rows, row by row
    if not len(at):
        return a
    first = np.flatnonzero(np.r_[True, row[at][1:] != row[at][:-1]])
    g = np.zeros(n)
    g[row[at][first]] = np.gcd.reduceat(a.data[at].astype(np.int64), first)
    c = np.flatnonzero(cap & (g[row] > 1))  # the capacity coefficient of each row with g > 1
    # what the certificate lets a plan load (its tolerance of the row's size) stays: a capacity of
    # 11.999999999999998 for two loads of 6 became 6, and a dearer plan was 'optimal' (review audit)
    # each row's largest coefficient, at least 1, as :func:`.certify.row_scale` (which sorts the
    # entries of ``a`` in place when unsorted: the positions found above would point elsewhere)
    scale = np.ones(n)
    np.maximum.at(scale, row, np.abs(a.data))
    held = np.floor((-a.data[c] + TOLERANCE * scale[row[c]]) / g[row[c]]) * g[row[c]]
    a.data[c] = np.where(held < -a.data[c], -held, a.data[c])  # only ever tighter; 0: no load fits
    a.eliminate_zeros()
    return a


def _links_on_demand(model: NetworkModel, p: _Projected, options: SolveOptions,
                     deadline: float) -> tuple[_Projected, str]:
    """``p`` with only the ``hub_link`` rows its LP relaxation needs (:func:`.links.needed`) when
    it is a MIP of at most ``links_on_demand_coefficients`` coefficients, else as it is.

    Substituted, a link of a single-origin lane reads d·a[h,m] ≤ d·o[h], ``assign_open``
    again. Ladder M single sourcing keeps 31 of its 11,712 links; HiGHS then proved it in
    68-150 s at random seeds 0-5 (median 95 s), where with every link it took 72 s to more
    than 300 s (median about 170 s).
    """
    rows, most = links.link_rows(model.lm), options.accelerate_options.links_on_demand_coefficients
    if rows is None or not p.integer.any() or p.a.nnz > most:
        return p, ""
    found = links.needed(p.a, p.cost, p.col_lo, p.col_up, p.row_lo, p.row_up,
                         np.flatnonzero(np.isin(p.rows, rows)), options, deadline)
    if found is None:
        return p, links.ALL_KEPT
    return p.subset(found[0]), found[1]


def _share(deadline: float, share: float) -> float:
    """The time ``share`` of what is left before ``deadline`` from now, as a deadline."""
    now = time.perf_counter()
    return now + share * (deadline - now) if math.isfinite(deadline) else math.inf


def _relax_and_fix(model: NetworkModel, p: _Projected, position: np.ndarray, options: SolveOptions,
                   deadline: float) -> tuple[float, SolverResult | None, str]:
    """The LP relaxation's bound, and a plan from it (relax and fix): the projected LP solved by
    the interior point method, then the MIP with every market whose LP assignment is whole
    (≥ 1 − :data:`WHOLE_TOL`) fixed to that hub and every other market free among the hubs its LP
    assignment uses. ``(bound, plan or None, note)``; bound -inf when the LP does not solve in
    time. ``position``: the projected column of each column of ``model``.

    The LP is solved here again although the strong-links rounds (:func:`_links_on_demand`)
    end at its optimum: their dual simplex gives a vertex, the interior point without crossover
    a point near the middle of the optimal face, which is positive on every hub an optimal LP
    assignment may use; the rounding leaves each market free among those hubs.

    On ladder XL (500 × 60 × 3000 × 6, 63,560 binaries) HiGHS's dual simplex had not solved the
    root LP after 228 s; the interior point solves it in 144-152 s, 811,522,376, and the fixed
    MIP's plan is within 0.06% of it (ladder M: the LP in 1 s, within 0.02% of the optimum; the
    fixed MIP's plan in 1 s, within 0.03%).
    """
    log_step(options, "relax and fix: the LP relaxation, by interior point")
    h = p.highs(until(options, _share(deadline, LP_SHARE)), relax=True)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    lp = run_highs(h, False)
    if lp.status is not Status.OPTIMAL or lp.x is None:
        return -math.inf, None, f"LP relaxation not solved ({lp.message})"
    bound = lp.objective - IPM_SLACK * abs(lp.objective)
    note = f"LP relaxation {bound:,.2f} (interior point)"
    block = model.lm.variables["assign"]
    cols = position[block.start:block.start + block.size]
    value = lp.x[cols]
    market = block.index["market"].to_numpy()
    whole = pd.Series(value).groupby(market).transform("max").to_numpy() >= 1 - WHOLE_TOL
    col_lo, col_up = p.col_lo.copy(), p.col_up.copy()
    col_up[cols[value < WHOLE_TOL]] = 0.0
    col_lo[cols[whole & (value >= 1 - WHOLE_TOL)]] = 1.0
    n_free, n_all = len(np.unique(market[~whole])), len(np.unique(market))
    log_step(options, f"relax and fix: LP bound {bound:,.2f}; the MIP with the {n_all - n_free:,} markets "
                      f"its LP assigns whole fixed, {n_free:,} free")
    fixed_options = dataclasses.replace(until(options, _share(deadline, FIX_SHARE)),
                                        mip_gap=max(options.mip_gap, FIX_GAP))
    h = p.highs(fixed_options, col_lo, col_up)
    tune(h, options, True)
    fixed = run_highs(h, True)
    if fixed.x is None:
        return bound, None, note + f"; no plan with its whole assignments fixed ({fixed.message})"
    return bound, fixed, note + (f"; plan {fixed.objective:,.2f} with the {n_all - n_free:,} markets it "
                                 f"assigns whole fixed, {n_free:,} free")


def solve_projected(model: NetworkModel, options: SolveOptions, projection: Projection,
                    start: Design | None = None, deadline: float = math.inf) -> SolverResult:
    """HiGHS on the model with the determined columns substituted out (``x = proj @ x_kept``);
    ``start`` as a MIP start (:func:`~.highs.set_start`, its values of the kept columns).

    Without a start (and with integer columns), relax and fix first (:func:`_relax_and_fix`):
    its plan is the answer if HiGHS finds none better in time, and its LP bound holds with
    HiGHS's own. The plan is not HiGHS's MIP start: given it, HiGHS did not prove ladder M
    single sourcing in 300 s (54 s without).
    """
    proj, keep = projection
    lm = model.lm
    p, links_note = _links_on_demand(model, _project(model, projection), options, deadline)
    position = np.full(lm.n_cols, -1)
    position[keep] = np.arange(len(keep))
    lower, fixed, note = -math.inf, None, ""
    if start is None and p.integer.any():
        lower, fixed, note = _relax_and_fix(model, p, position, options, deadline)
    log_step(options, "HiGHS on the projected model" + (
        f", beside relax and fix's plan {fixed.objective:,.2f}" if fixed is not None else ""))
    h = p.highs(until(options, deadline))
    tune(h, options, True)
    if start is not None:
        set_start(h, lm, start, options, deadline, position)
    result = _best(run_highs(h, True), fixed, lower, options)
    x = None if result.x is None else proj @ result.x
    return dataclasses.replace(result, x=x, note="; ".join(filter(None, [links_note, note, result.note])))


def _best(result: SolverResult, fixed: SolverResult | None, lower: float,
          options: SolveOptions) -> SolverResult:
    """HiGHS's ``result`` with the bound ``lower`` too, or the relax-and-fix plan ``fixed`` when
    HiGHS found none cheaper; optimal when within the gap of the better bound."""
    bound = max(result.bound, lower)
    better = result.x is not None and (fixed is None or result.objective <= fixed.objective)
    plan = result if better or fixed is None else fixed
    if plan.x is None:
        return dataclasses.replace(result, bound=bound)
    gap = plan_gap(plan, bound)
    status = Status.OPTIMAL if gap <= options.mip_gap or result.status is Status.OPTIMAL else result.status
    if plan is fixed:
        note = "HiGHS found no cheaper plan: the relax-and-fix plan"
        return dataclasses.replace(result, status=status, x=fixed.x, objective=fixed.objective, bound=bound,
                                   gap=gap, note=note)
    return dataclasses.replace(result, status=status, bound=bound, gap=gap)
