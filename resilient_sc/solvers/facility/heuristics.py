"""Primal heuristics of facility location: the transportation LP of a set of open hubs (by
column generation), completing and improving an open set (multi-sourcing); repairing a
Lagrangian solution, local search and the GAP polish by HiGHS (single sourcing)."""

from __future__ import annotations

import math
import time

import highspy
import numpy as np
import scipy.sparse as sp

from ..base import AccelerateOptions, SolveOptions
from ..highs import log_to_stderr, new_highs, pass_matrix, run_highs
from ..mip.branch_and_bound import Incumbent
from ..mip.master import FEAS
from .lagrangian import MultiSourceBound
from .problem import FacilityProblem


class Transport:
    """The exact cost of the best plan with a given set of open hubs (an LP; multi-sourcing)."""

    def __init__(self, fl: FacilityProblem, options: SolveOptions) -> None:
        self.fl = fl
        self.options = SolveOptions(threads=options.threads, seed=options.seed)
        self.nearest = options.accelerate_options.nearest
        self.cache: dict[bytes, tuple[float, np.ndarray | None]] = {}

    def __call__(self, opened: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Plan cost and fractions ``frac[i, j]``; (inf, None) when infeasible."""
        key = opened.tobytes()
        if key not in self.cache:
            self.cache[key] = self._solve(opened)
        return self.cache[key]

    def _solve(self, opened: np.ndarray) -> tuple[float, np.ndarray | None]:
        """The transportation LP over the open hubs, by column generation: each market starts
        with its ``nearest`` cheapest open hubs; pairs that price out negative join until none
        does (all pairs at once if the restricted LP is infeasible)."""
        fl = self.fl
        m, n = fl.shape
        hubs = np.flatnonzero(opened)
        if fl.s[hubs].sum() < fl.d.sum() * (1 - 1e-12):
            return math.inf, None
        sub = fl.cost[hubs]
        near = np.argsort(sub, axis=0)[:self.nearest]
        pick = np.zeros(sub.shape, bool)
        np.put_along_axis(pick, near, True, axis=0)
        pick &= np.isfinite(sub)
        h = new_highs(self.options)
        rows = len(hubs) + n
        h.passModel(highspy.HighsLp())
        inf = highspy.kHighsInf
        h.addRows(rows, np.concatenate([np.ones(n), np.full(len(hubs), -inf)]),
                  np.concatenate([np.ones(n), fl.s[hubs]]), 0, np.zeros(rows, np.int32),
                  np.zeros(0, np.int32), np.zeros(0))
        have = np.zeros(sub.shape, bool)
        cols: list[tuple[np.ndarray, np.ndarray]] = []  # this LP's, in column order
        while True:
            i, j = np.nonzero(pick & ~have)
            k = len(i)
            if k:
                starts = np.arange(0, 2 * k, 2, dtype=np.int32)
                index = np.column_stack([j, n + i]).ravel().astype(np.int32)
                value = np.column_stack([np.ones(k), fl.d[j]]).ravel()
                h.addCols(k, sub[i, j], np.zeros(k), np.ones(k), 2 * k, starts, index, value)
                have[i, j] = True
                cols.append((i, j))
            with log_to_stderr(h):
                h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kInfeasible and (~have & np.isfinite(sub)).any():
                pick = np.isfinite(sub)
                continue
            if status != highspy.HighsModelStatus.kOptimal:
                return math.inf, None
            dual = np.asarray(h.getSolution().row_dual)
            rc = sub - dual[None, :n] - fl.d[None, :] * dual[n:, None]
            pick = ~have & np.isfinite(sub) & (rc < -1e-9 * np.maximum(1.0, np.abs(sub)))
            if not pick.any():
                break
        i = np.concatenate([c[0] for c in cols])
        j = np.concatenate([c[1] for c in cols])
        frac = np.zeros((m, n))
        frac[hubs[i], j] = np.clip(np.asarray(h.getSolution().col_value), 0.0, 1.0)
        used = (frac.sum(axis=1) > FEAS) | (fl.lo > 0.5)
        frac[~used] = 0.0
        value = float(fl.f[used].sum() + (np.where(frac > 0, fl.cost, 0.0) * frac).sum() + fl.constant)
        return value, frac


def offer(inc: Incumbent, transport: Transport, opened: np.ndarray) -> bool:
    """Make the plan with hubs ``opened`` (and the best flows, by ``transport``) the incumbent
    if it is cheaper; its design becomes (hubs used, served fractions)."""
    value, frac = transport(opened)
    if value < inc.objective - 1e-9 * max(1.0, abs(value)):
        assert frac is not None
        inc.objective = value
        inc.design = ((frac.sum(axis=1) > FEAS) | (transport.fl.lo > 0.5), frac)
        return True
    return False


def complete(lb: MultiSourceBound, opened: np.ndarray, v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``opened`` plus the cheapest (by v per unit capacity) allowed hubs until demand fits."""
    fl = lb.fl
    opened = opened.copy()
    for i in np.argsort(fl.per_capacity(v), kind="stable"):
        if fl.s[opened].sum() >= lb.total:
            break
        if up[i] > 0.5:
            opened[i] = True
    return opened


def improve(lb: MultiSourceBound, transport: Transport, inc: Incumbent, v: np.ndarray,
             deadline: float, width: int = 8) -> None:
    """Local search on the open set: drop a hub, add one, or swap one for one of the ``width``
    closed hubs with the smallest Lagrangian v, first improvement, until none pays."""
    fl = lb.fl
    improved = True
    while improved and inc.design is not None and time.perf_counter() < deadline:
        improved = False
        cur = inc.design[0].copy()
        shut = np.flatnonzero(~cur & (fl.up > 0.5))
        best_closed = shut[np.argsort(v[shut], kind="stable")[:width]]
        opened_free = np.flatnonzero(cur & (fl.lo < 0.5))
        moves: list[tuple[list[int], list[int]]] = [([i], []) for i in opened_free]
        moves += [([], [k]) for k in best_closed]
        moves += [([i], [k]) for i in opened_free for k in best_closed]
        for out, into in moves:
            if time.perf_counter() > deadline:
                return
            trial = cur.copy()
            trial[out] = False
            trial[into] = True
            if offer(inc, transport, trial):
                improved = True
                break

def ss_repair(fl: FacilityProblem, opened: np.ndarray, chosen: np.ndarray) -> np.ndarray | None:
    """A single-source plan (``hub_of[j]`` serves market j) from the Lagrangian knapsacks
    ``chosen`` (bool (m, n)) of the hubs ``opened``: a market chosen by exactly one open hub
    stays there, the others go, largest demand first, to the cheapest open hub with room.
    None when a market finds no room."""
    m, _ = fl.shape
    mine = chosen & opened[:, None]
    once = mine.sum(axis=0) == 1
    hub_of = np.where(once, np.argmax(mine, axis=0), -1)
    room = np.where(opened, fl.s, -np.inf) - np.bincount(hub_of[once], fl.d[once], minlength=m)
    cost = np.where(opened[:, None], fl.cost, np.inf)
    rest = np.flatnonzero(~once)
    for j in rest[np.argsort(-fl.d[rest], kind="stable")]:
        cand = np.where(room >= fl.d[j] - 1e-9, cost[:, j], np.inf)
        i = int(np.argmin(cand))
        if not np.isfinite(cand[i]):
            return None
        hub_of[j] = i
        room[i] -= fl.d[j]
    return hub_of


def ss_polish(fl: FacilityProblem, hub_of: np.ndarray, allowed: np.ndarray, options: SolveOptions,
               deadline: float) -> tuple[float, np.ndarray] | None:
    """Re-assign every market among the hubs that ``hub_of`` opens, over the ``allowed`` pairs
    (bool (m, n)) and the current ones: the assignment problem (a GAP) by HiGHS from the
    current plan, stopped after ``polish_nodes`` nodes (deterministic) or at ``deadline``.
    Returns the value and the new ``hub_of``, None if HiGHS finds nothing."""
    m, n = fl.shape
    hubs = np.unique(hub_of)
    ok = (allowed[hubs] | (hubs[:, None] == hub_of[None, :])) & np.isfinite(fl.cost[hubs])
    i, j = np.nonzero(ok)
    k = len(i)
    a = sp.csr_matrix((np.concatenate([np.ones(k), fl.d[j]]),
                       (np.concatenate([j, n + i]), np.tile(np.arange(k), 2))), shape=(n + len(hubs), k))
    left = deadline - time.perf_counter()
    h = new_highs(SolveOptions(threads=options.threads, seed=options.seed, mip_gap=options.mip_gap,
                               time_limit=max(left, 0.05) if math.isfinite(left) else None))
    h.setOptionValue("mip_max_nodes", options.accelerate_options.polish_nodes)
    cost = fl.cost[hubs[i], j]
    pass_matrix(h, a, cost, np.zeros(k), np.ones(k),
                np.concatenate([np.ones(n), np.full(len(hubs), -highspy.kHighsInf)]),
                np.concatenate([np.ones(n), fl.s[hubs]]), np.ones(k, bool))
    start = (hubs[i] == hub_of[j]).astype(float)
    h.setSolution(k, np.arange(k, dtype=np.int32), start)
    result = run_highs(h, True)
    if result.x is None:
        return None
    chosen = np.round(result.x) > 0.5
    new = hub_of.copy()
    new[j[chosen]] = hubs[i[chosen]]
    used = (np.bincount(new, fl.d, minlength=m) > 0) | (fl.lo > 0.5)
    return float(fl.f[used].sum() + fl.cost[new, np.arange(n)].sum() + fl.constant), new


def ss_local_search(fl: FacilityProblem, hub_of: np.ndarray, deadline: float,
                    swap_in: int = AccelerateOptions.swap_in) -> tuple[float, np.ndarray]:
    """Improve a single-source plan (``hub_of[j]`` serves market j): best shift of one market,
    best swap of two, closing one hub (its markets to their cheapest hubs with room) or opening
    one (taking the markets it serves cheaper), until no move pays. Returns value and hub_of."""
    m, n = fl.cost.shape
    c, d, s, f = fl.cost, fl.d, fl.s, fl.f
    hub_of = hub_of.copy()
    cols = np.arange(n)

    def loads() -> np.ndarray:
        return np.bincount(hub_of, d, minlength=m)

    def value() -> float:
        used = (loads() > 0) | (fl.lo > 0.5)
        return float(f[used].sum() + c[hub_of, cols].sum() + fl.constant)

    allowed = fl.up > 0.5
    eps = 1e-9 * max(1.0, float(np.abs(c[np.isfinite(c)]).max(initial=1.0)))
    while time.perf_counter() < deadline:
        load = loads()
        used = (load > 0) | (fl.lo > 0.5)
        cur = c[hub_of, cols]
        # shift market j to hub i
        empties = (load[hub_of] - d <= 0) & (fl.lo[hub_of] < 0.5)
        gain = cur[None, :] - c - np.where(used, 0.0, f)[:, None] + np.where(empties, f[hub_of], 0.0)[None, :]
        gain[(load[:, None] + d[None, :] > s[:, None] + 1e-9) | ~allowed[:, None]] = -np.inf
        gain[hub_of, cols] = -np.inf
        i, j = np.unravel_index(np.argmax(gain), gain.shape)
        if gain[i, j] > eps:
            hub_of[j] = i
            continue
        # swap markets j and k between their hubs
        hj = hub_of
        cross = c[hj[None, :], cols[:, None]]  # cross[j, k] = cost of j at k's hub
        sw = cur[:, None] + cur[None, :] - cross - cross.T
        room_k = load[hj][None, :] - d[None, :] + d[:, None] <= s[hj][None, :] + 1e-9
        sw[~(room_k & room_k.T) | (hj[:, None] == hj[None, :])] = -np.inf
        j, k = np.unravel_index(np.argmax(sw), sw.shape)
        if sw[j, k] > eps:
            hub_of[j], hub_of[k] = hub_of[k], hub_of[j]
            continue
        # close a hub or open one (greedy reassignment), best first
        best_gain, best_plan = eps, None
        for i in np.flatnonzero(used & (fl.lo < 0.5)):
            mine = np.flatnonzero(hub_of == i)
            mine = mine[np.argsort(-d[mine])]
            # close i, its markets to the cheapest hubs with room: among the open ones, or
            # with one closed hub k opened in its place (the few that serve them cheapest)
            shut = np.flatnonzero(~used & allowed)
            shut = shut[np.argsort(f[shut] + c[np.ix_(shut, mine)].sum(axis=1), kind="stable")]
            for k_new in [-1, *shut[:swap_in]]:
                room = np.where(used & allowed, s - load, -np.inf)
                if k_new >= 0:
                    room[k_new] = s[k_new]
                room[i] = -np.inf
                plan = hub_of.copy()
                for j in mine:
                    cand = np.where(room >= d[j] - 1e-9, c[:, j], np.inf)
                    k = int(np.argmin(cand))
                    if not np.isfinite(cand[k]):
                        break
                    plan[j] = k
                    room[k] -= d[j]
                else:
                    opened = ~used & (np.bincount(plan, d, minlength=m) > 0)
                    g = f[i] + (cur - c[plan, cols]).sum() - f[opened].sum()
                    if g > best_gain:
                        best_gain, best_plan = g, plan
        for i in np.flatnonzero(~used & allowed):
            saving = cur - c[i]
            order = np.argsort(-saving / d)
            take = order[saving[order] > 0]
            take = take[np.cumsum(d[take]) <= s[i] + 1e-9]
            if len(take):
                plan = hub_of.copy()
                plan[take] = i
                left = np.bincount(plan, d, minlength=m)
                freed = used & (left == 0) & (fl.lo < 0.5)
                g = saving[take].sum() - f[i] + f[freed].sum()
                if g > best_gain:
                    best_gain, best_plan = g, plan
        if best_plan is None:
            break
        hub_of = best_plan
    return value(), hub_of
