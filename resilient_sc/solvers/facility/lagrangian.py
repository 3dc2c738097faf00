"""Lagrangian bounds of facility location: the hub knapsacks (continuous for multi-sourcing,
0-1 by dynamic programming for single sourcing), subgradient ascent on the multipliers, and
probing (the bound with one hub forced closed or open)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .problem import FacilityProblem


class HubChoice:
    """The hub part of a Lagrangian bound: which hubs to open given each hub's value v."""

    def __init__(self, fl: FacilityProblem) -> None:
        self.fl = fl
        self.total = float(fl.d.sum())
        self.equal = bool(np.all(fl.s == fl.s[0]))

    def knapsack(self, v: np.ndarray, lo: np.ndarray, up: np.ndarray) -> tuple[float, np.ndarray]:
        """min Σ v_i o_i s.t. Σ s_i o_i ≥ total demand, lo ≤ o ≤ up (exact or LP)."""
        s = self.fl.s
        o = lo.astype(float)
        free = up > lo
        o[free & (v < 0)] = 1.0
        short = self.total - float(s @ o)
        if short > 0:
            cand = np.flatnonzero(free & (o == 0) & (s > 0))
            cand = cand[np.argsort(self.fl.per_capacity(v[cand], cand), kind="stable")]
            for i in cand:
                if short <= 0:
                    break
                t = 1.0 if self.equal else min(1.0, short / s[i])
                o[i] = t
                short -= t * s[i]
            if short > 1e-9 * self.total:
                return math.inf, o
        return float(v @ o), o


class MultiSourceBound(HubChoice):
    """Lagrangian bound of the multi-source CFLP with the demand rows relaxed.

    For multipliers u (money per market), hub i's best use is a continuous knapsack,
    v_i = f_i + min{Σ_j (c_ij − u_j) x_j : Σ_j d_j x_j ≤ s_i, 0 ≤ x ≤ 1}, and
    L(u) = Σ_j u_j + min{Σ_i v_i o_i : Σ_i s_i o_i ≥ Σ_j d_j, bounds on o} is a valid lower
    bound for every u (the knapsack is exact for equal capacities, its LP otherwise).
    """

    def __init__(self, fl: FacilityProblem) -> None:
        super().__init__(fl)
        hub, mk = np.nonzero(np.isfinite(fl.cost))
        self.hub, self.mk = hub, mk  # allowed pairs, hub-major
        self.c = fl.cost[hub, mk]
        self.w = fl.d[mk]

    def restrict(self, alive: np.ndarray) -> None:
        """Forget the pairs of hubs that are closed for good (their v becomes f)."""
        keep = alive[self.hub]
        self.hub, self.mk, self.c, self.w = self.hub[keep], self.mk[keep], self.c[keep], self.w[keep]

    def hubs(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """v per hub and the knapsack fill (pair ids, fractions) at multipliers u."""
        fl = self.fl
        r = self.c - u[self.mk]
        idx = np.flatnonzero(r < 0)
        h = self.hub[idx]
        order = np.lexsort((r[idx] / self.w[idx], h))
        idx, h = idx[order], h[order]
        w = self.w[idx]
        cum = np.cumsum(w)
        start = np.concatenate([[0.0], cum])[np.searchsorted(h, np.arange(len(fl.f)))]
        frac = np.clip((fl.s[h] - (cum - w - start[h])) / w, 0.0, 1.0)
        v = fl.f + np.bincount(h, r[idx] * frac, minlength=len(fl.f))
        return v, idx, frac

    def evaluate(self, u: np.ndarray, lo: np.ndarray, up: np.ndarray
                 ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(u), v, the chosen o and a subgradient (1 − Σ_i served fraction per market)."""
        v, idx, frac = self.hubs(u)
        kv, o = self.knapsack(v, lo, up)
        served = np.bincount(self.mk[idx], frac * o[self.hub[idx]], minlength=len(u))
        return float(u.sum()) + kv, v, o, 1.0 - served


@dataclass
class Ascent:
    """The best point of a subgradient ascent."""

    bound: float
    u: np.ndarray
    v: np.ndarray
    o: np.ndarray
    step: float


def ascend(lb: MultiSourceBound | SingleSourceBound, u: np.ndarray, lo: np.ndarray, up: np.ndarray,
            ub: float, tol: float, iters: int, step: float, patience: int = 20,
            visit: Callable[[Ascent], float] | None = None, every: int = 25,
            min_step: float = 1e-5) -> Ascent:
    """Subgradient ascent on L(u) (Polyak steps towards ``ub``; the step halves after
    ``patience`` iterations without improvement); stops early once L ≥ ub − tol.

    Every ``every`` iterations ``visit(point)`` may turn the Lagrangian solution into a plan and
    returns the (possibly improved) ``ub``.
    """
    best: Ascent | None = None
    stall = 0
    for k in range(iters):
        value, v, o, g = lb.evaluate(u, lo, up)
        if not math.isfinite(value):
            return Ascent(math.inf, u, v, o, step)
        if visit is not None and k % every == every - 1:
            ub = visit(Ascent(value, u, v, o, step))
        if best is None or value > best.bound:
            best = Ascent(value, u, v, o, step)
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step, stall = step / 2, 0
        best.step = step
        norm = float(g @ g)
        if best.bound >= ub - tol or norm < 1e-12 or step < min_step:
            break
        target = ub if math.isfinite(ub) else best.bound + 0.05 * abs(best.bound) + 1.0
        u = u + step * max(target - value, 1e-9 * abs(target)) / norm * g
    assert best is not None
    return best


def probe_hubs(lb: HubChoice, a: Ascent, lo: np.ndarray, up: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Lagrangian bounds (at the ascent's best u) with each free hub forced closed / open."""
    base = float(a.u.sum())
    closed, opened = np.full(len(lo), np.nan), np.full(len(lo), np.nan)
    for i in np.flatnonzero(up > lo):
        up_i = up.copy()
        up_i[i] = lo[i]
        closed[i] = base + lb.knapsack(a.v, lo, up_i)[0]
        lo_i = lo.copy()
        lo_i[i] = up[i]
        opened[i] = base + lb.knapsack(a.v, lo_i, up)[0]
    return closed, opened


class SingleSourceBound(HubChoice):
    """Lagrangian bound of the single-source CFLP with the assignment rows relaxed.

    For multipliers u, hub i's best use is a 0-1 knapsack, v_i = f_i − max{Σ_j (u_j − c_ij) a_j :
    Σ_j d_j a_j ≤ s_i}, solved exactly by dynamic programming over integer capacities (all
    hubs at once), and L(u) = Σ_j u_j + min{Σ_i v_i o_i : Σ_i s_i o_i ≥ Σ_j d_j, bounds on o}.
    """

    def __init__(self, fl: FacilityProblem) -> None:
        super().__init__(fl)
        self.w = np.round(fl.d).astype(np.int64)
        self.cap = np.floor(np.minimum(fl.s, fl.d.sum()) + 1e-9).astype(np.int64)
        self.size = int(self.cap.max()) + 1
        self.rows = np.arange(len(fl.f))

    @staticmethod
    def applies(fl: FacilityProblem) -> bool:
        """Integer demands and a DP table of sane size."""
        d = fl.d
        cap = np.minimum(fl.s, d.sum())
        return bool(np.all(d == np.round(d)) and len(fl.f) * (cap.max() + 1) * len(d) <= 5e7)

    def hubs(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """v per hub and each hub's knapsack (bool (m, n)); the DP touches only the hubs for
        which an item is profitable."""
        p = u[None, :] - self.fl.cost
        dp = np.zeros((len(p), self.size))
        takes: list[tuple[np.ndarray, np.ndarray] | None] = []
        items, hubs = np.nonzero((p > 0).T)  # by item, then hub
        bounds = np.searchsorted(items, np.arange(p.shape[1] + 1))
        for j in range(p.shape[1]):
            w = int(self.w[j])
            rows = hubs[bounds[j]:bounds[j + 1]]
            if w >= self.size or not len(rows):
                takes.append(None)
                continue
            sub = dp[rows]
            cand = sub[:, :self.size - w] + p[rows, j][:, None]
            better = cand > sub[:, w:]
            sub[:, w:] = np.where(better, cand, sub[:, w:])
            dp[rows] = sub
            takes.append((rows, better))
        c = self.cap.copy()
        a = np.zeros(p.shape, bool)
        for j in range(p.shape[1] - 1, -1, -1):
            t = takes[j]
            if t is not None:
                rows, better = t
                w = int(self.w[j])
                cr = c[rows]
                took = (cr >= w) & better[np.arange(len(rows)), np.maximum(cr - w, 0)]
                a[rows[took], j] = True
                c[rows[took]] -= w
        return self.fl.f - dp[self.rows, self.cap], a

    def evaluate(self, u: np.ndarray, lo: np.ndarray, up: np.ndarray
                 ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(u), v, the chosen o and a subgradient (1 − Σ_i o_i a_ij per market)."""
        v, a = self.hubs(u)
        kv, o = self.knapsack(v, lo, up)
        return float(u.sum()) + kv, v, o, 1.0 - (o[:, None] * a).sum(axis=0)

    def forced_in(self, u: np.ndarray) -> np.ndarray:
        """v_i if hub i had to serve market j: f_i − (best knapsack holding j), shape (m, n)."""
        p = u[None, :] - self.fl.cost
        m, n = p.shape
        back = [np.zeros((m, self.size))]
        for j in range(n - 1, 0, -1):  # back[k] = table over items j+1..n-1 for j = n-1-k
            dp = back[-1].copy()
            w = int(self.w[j])
            if w < self.size and (p[:, j] > 0).any():
                if w:
                    dp[:, w:] = np.maximum(dp[:, w:], back[-1][:, :-w] + p[:, j:j + 1])
                else:
                    dp = np.maximum(dp, back[-1] + p[:, j:j + 1])
            back.append(dp)
        grid = np.arange(self.size)
        out = np.full((m, n), np.inf)
        fwd = np.zeros((m, self.size))
        for j in range(n):
            bj = back[n - 1 - j]
            room = self.cap - int(self.w[j])
            ok = room >= 0
            idx = room[:, None] - grid[None, :]
            valid = (idx >= 0) & ok[:, None]
            both = np.where(valid, fwd + np.take_along_axis(bj, np.clip(idx, 0, None), 1), -np.inf)
            best = both.max(axis=1) + p[:, j]
            out[:, j] = np.where(ok & np.isfinite(best), self.fl.f - best, np.inf)
            w = int(self.w[j])
            if w < self.size and (p[:, j] > 0).any():
                if w:
                    fwd[:, w:] = np.maximum(fwd[:, w:], fwd[:, :-w] + p[:, j:j + 1])
                else:
                    fwd = np.maximum(fwd, fwd + p[:, j:j + 1])
        return out
