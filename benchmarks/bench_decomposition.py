"""Issue 14: two decompositions measured before building them (neither is in the library).

* ``L-shaped`` (disruption-aware design): Benders over the design ``d = (z, o)``. The master is
  the design, the base flows and one ``θ_k`` per scenario; scenario ``k``'s recourse LP
  ``Q_k(d)`` (its flows and shortfall, the design fixed) gives the cut
  ``θ_k ≥ Q_k(d̂) + r_k·(d − d̂)``, ``r_k`` the reduced costs of the fixed design columns
  (the LP's value is convex in ``d``, every design has a recourse thanks to the shortfall).
  Cuts first from the LP master until its gap is 1e-6, then from MIP masters until
  ``(best plan − master bound) / best plan ≤ 1e-6``. Against the extensive form, both in plain
  HiGHS on ``bench_ladder.textbook_arrays``, one thread, one after the other in one run.
* ``hub knapsacks`` (single sourcing): how much of the root gap of the projected model (the one
  HiGHS gets, ``solvers/projection.py``) the hub knapsack polytopes close, i.e. the bound a
  set-partitioning reformulation per hub would add. Each ``assign_capacity`` row
  ``Σ_m D_m·a[h,m] ≤ C_h·o[h]`` gets Fenchel cuts ``π·a ≤ π0·o`` valid for
  ``conv{a ∈ {0,1}: Σ D_m·a_m ≤ C_h}``, separated exactly on the LP point's support (an LP
  over knapsack plans priced by a 0-1 knapsack by dynamic programming), round after round;
  against the LP bound, HiGHS's root bound after its own cuts and the proven optimum of
  ``ladder_<rung>.json``.

    python benchmarks/bench_decomposition.py --lshaped-rung S --knapsack-rung M
    python benchmarks/bench_decomposition.py --quick    # rung "tiny", both, seconds

Writes ``decomposition.json`` and ``.md`` (``decomposition_quick`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ladder import run_textbook, textbook_arrays, to_highs  # noqa: E402
from ladder import POLICIES, ladder_network  # noqa: E402
from machine import machine_info, machine_line, save  # noqa: E402

from resilient_sc.solvers.highs import pass_matrix  # noqa: E402

INF = highspy.kHighsInf
GAP = 1e-6


def _highs(time_limit: float) -> highspy.Highs:
    h = highspy.Highs()
    for k, v in [("output_flag", False), ("threads", 1), ("mip_rel_gap", GAP), ("random_seed", 0),
                 ("time_limit", time_limit)]:
        h.setOptionValue(k, v)
    return h


# ---------------------------------------------------------------------------- L-shaped method

def lshaped(rung: str, time_limit: float) -> dict:
    """The L-shaped method and the extensive form on ``rung``'s disruption-aware design."""
    t0 = time.perf_counter()
    m = textbook_arrays(ladder_network(rung), POLICIES["disruption-aware"])
    a, nd = m["a"].tocsr(), len(m["suppliers"]) + len(m["hubs"])
    # blocks: the non-design columns linked through rows; the base block holds the first x column
    link = a[:, nd:].tocsr()
    link.data[:] = 1.0
    _, label = connected_components((link.T @ link).tocsr(), directed=False)
    base = label[0]
    row_block = np.full(a.shape[0], base)  # rows on the design alone stay in the master
    coo = link.tocoo()
    row_block[coo.row] = label[coo.col]
    scenarios = [b for b in np.unique(label) if b != base]
    design = np.arange(nd)

    def model(block: int, extra: int = 0, integer: bool = False, free_design: bool = False) -> highspy.Highs:
        cols = np.concatenate([design, nd + np.flatnonzero(label == block)])
        rows = np.flatnonzero(row_block == block)
        cost = m["cost"][cols].copy()
        if free_design:
            cost[:nd] = 0.0
        sub = sp.hstack([a[rows][:, cols], sp.csr_matrix((len(rows), extra))])
        binary = np.concatenate([m["binary"][cols] & integer, np.zeros(extra, bool)])
        h = _highs(time_limit)
        pass_matrix(h, sub, np.concatenate([cost, np.ones(extra)]),
                    np.concatenate([m["col_lower"][cols], np.zeros(extra)]),
                    np.concatenate([m["col_upper"][cols], np.full(extra, INF)]),
                    m["row_lower"][rows], m["row_upper"][rows], binary)
        return h

    k = len(scenarios)
    n_master = nd + int((label == base).sum())
    masters = {"LP": model(base, k), "MIP": model(base, k, integer=True)}
    subs = [model(b, free_design=True) for b in scenarios]
    master_cost = m["cost"][np.concatenate([design, nd + np.flatnonzero(label == base)])]
    iterations, deadline = [], t0 + time_limit
    for phase, master in masters.items():
        best = np.inf  # the LP phase's plans are fractional designs: none counts for the MIP
        while time.perf_counter() < deadline:
            ts = time.perf_counter()
            master.setOptionValue("time_limit", max(1.0, deadline - ts))
            master.run()
            info = master.getInfo()
            bound = info.objective_function_value if phase == "LP" else info.mip_dual_bound
            x = np.array(master.getSolution().col_value)
            d = x[:nd] if phase == "LP" else np.round(x[:nd])
            t_master = time.perf_counter() - ts
            cuts, q = [], 0.0
            for s in subs:  # Q_k(d̂) and its subgradient r_k (reduced costs of the fixed design)
                s.changeColsBounds(nd, design.astype(np.int32), d, d)
                s.run()
                v = s.getInfo().objective_function_value
                cuts.append((v, np.array(s.getSolution().col_dual)[:nd]))
                q += v
            cost = float(x[:n_master] @ master_cost) + q  # the design's plan: base part + recourse
            best = min(best, cost) if phase == "MIP" else cost
            gap = (best - bound) / abs(best)
            iterations.append({"phase": phase, "master_s": t_master, "bound": bound, "plan": cost,
                               "gap": gap, "elapsed_s": time.perf_counter() - t0})
            for j, (v, r) in enumerate(cuts):  # θ_j − r·d ≥ v − r·d̂, in both masters
                idx = np.concatenate([design, [n_master + j]]).astype(np.int32)
                for target in masters.values():
                    target.addRow(v - r @ d, INF, len(idx), idx, np.concatenate([-r, [1.0]]))
            if gap <= GAP:
                break
    ours_s = time.perf_counter() - t0
    done = bool(iterations) and iterations[-1]["phase"] == "MIP" and iterations[-1]["gap"] <= GAP
    t1 = time.perf_counter()  # the extensive form's seconds count its passModel, as ours count the masters'
    ext = run_textbook(to_highs(m), t1, time_limit, threads=1)
    return {"rung": rung, "scenarios": k, "iterations": iterations, "optimal": done,
            "objective": best, "seconds": ours_s,
            "extensive": {"status": ext["status"], "objective": ext["objective"],
                          "seconds": ext["build_s"] + ext["solve_s"]}}


# -------------------------------------------------------------------- hub knapsack polytopes

def best_plan(price: np.ndarray, weight: np.ndarray, capacity: int) -> tuple[float, np.ndarray]:
    """max price·x over x ∈ {0,1}ⁿ with weight·x ≤ capacity (integer weights), by dynamic
    programming over the capacity; its value and x."""
    value = np.zeros(capacity + 1)
    take = np.zeros((len(weight), capacity + 1), bool)
    for i, (p, w) in enumerate(zip(price, weight, strict=True)):
        if w > capacity or p <= 0:
            continue
        with_i = np.full(capacity + 1, -np.inf)
        with_i[w:] = value[:capacity + 1 - w] + p
        take[i] = with_i > value + 1e-12
        value = np.maximum(value, with_i)
    x, left = np.zeros(len(weight), bool), capacity
    for i in range(len(weight) - 1, -1, -1):
        if take[i, left]:
            x[i], left = True, left - weight[i]
    return float(value[capacity]), x


def fenchel_cut(a_star: np.ndarray, o_star: float, weight: np.ndarray, capacity: int,
                max_plans: int = 500) -> tuple[np.ndarray, float, float]:
    """The most violated ``π·a ≤ π0·o`` (0 ≤ π, π0 ≤ 1) over the knapsack plans: an LP over the
    plans found so far, priced by :func:`best_plan`. Returns π, π0 and the violation
    π·a* − π0·o*; π0 is raised to the best plan's value at π, so the cut is valid even when the
    pricing stops at ``max_plans``."""
    n = len(weight)
    h = _highs(INF)
    h.passModel(_lp_max(a_star, o_star))
    pi, pi0 = np.zeros(n), 0.0
    for _ in range(max_plans):
        h.run()
        sol = np.array(h.getSolution().col_value)
        pi, pi0 = sol[:n], sol[n]
        value, plan = best_plan(pi, weight, capacity)
        if value <= pi0 + 1e-9:
            break
        idx = np.concatenate([np.flatnonzero(plan), [n]]).astype(np.int32)
        h.addRow(-INF, 0.0, len(idx), idx, np.concatenate([np.ones(plan.sum()), [-1.0]]))
    pi0 = max(pi0, best_plan(pi, weight, capacity)[0])
    return pi, pi0, float(pi @ a_star - pi0 * o_star)


def _lp_max(a_star: np.ndarray, o_star: float) -> highspy.HighsLp:
    """max π·a* − π0·o* over 0 ≤ π, π0 ≤ 1, no rows yet (HiGHS minimises the negative)."""
    n = len(a_star)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1, 0
    lp.col_cost_ = np.concatenate([-a_star, [o_star]])
    lp.col_lower_, lp.col_upper_ = np.zeros(n + 1), np.ones(n + 1)
    lp.a_matrix_.start_ = np.zeros(n + 2, np.int32)
    return lp


def knapsacks(rung: str, rounds: int, results: Path) -> dict:
    """Fenchel rounds on the hub knapsacks of ``rung``'s single sourcing projected model."""
    from resilient_sc import SolveOptions, build_model
    from resilient_sc.solvers import aggregate, projection
    from resilient_sc.solvers.highs import tune

    t0 = time.perf_counter()
    model = build_model(ladder_network(rung), POLICIES["single sourcing"])
    agg = aggregate.recognise(model.lm)
    inner = model if agg is None else dataclasses.replace(model, lm=agg.lm)
    found = projection.recognise(inner)  # None on small networks: the model as it is
    n = inner.lm.n_cols
    p = projection._project(inner, found or (sp.identity(n, format="csr"), np.arange(n)))
    block = inner.lm.constraints["assign_capacity"]
    options = SolveOptions(threads=1, seed=0)
    lp = p.highs(options, relax=True)
    lp.run()
    bounds = [lp.getInfo().objective_function_value]
    # each knapsack row: its o column (the one negative coefficient) and its items
    hubs = []
    for r in np.flatnonzero((p.rows >= block.start) & (p.rows < block.start + block.size)):
        row = p.a[r]
        neg = row.data < 0
        weight = np.round(row.data[~neg]).astype(np.int64)
        unit = int(np.gcd.reduce(weight))
        hubs.append((row.indices[neg][0], row.indices[~neg], weight // unit,
                     int(np.floor(-row.data[neg][0] / unit + 1e-9))))
    cuts_added = []
    for _ in range(rounds):
        x = np.array(lp.getSolution().col_value)
        added = 0
        for o, items, weight, capacity in hubs:
            a_star = x[items]
            support = a_star > 1e-9
            if np.all((a_star < 1e-6) | (a_star > 1 - 1e-6)):
                continue
            pi, pi0, violation = fenchel_cut(a_star[support], x[o], weight[support], capacity)
            if violation > 1e-6:
                idx = np.concatenate([items[support][pi > 1e-9], [o]]).astype(np.int32)
                lp.addRow(-INF, 0.0, len(idx), idx, np.concatenate([pi[pi > 1e-9], [-pi0]]))
                added += 1
        if not added:
            break
        lp.run()
        bounds.append(lp.getInfo().objective_function_value)
        cuts_added.append(added)
    fenchel_s = time.perf_counter() - t0
    root = p.highs(options)
    tune(root, options, True)
    root.setOptionValue("mip_max_nodes", 1)
    root.run()
    ladder = results / f"ladder_{rung}.json"
    optimum = None
    if ladder.exists():
        for row in json.loads(ladder.read_text(encoding="utf-8"))["rows"]:
            if row["policy"] == "single sourcing" and row["ours"]["status"] == "optimal":
                optimum = row["ours"]["objective"]
    return {"rung": rung, "hubs": len(hubs), "lp_bounds": bounds, "cuts": cuts_added,
            "fenchel_s": fenchel_s, "highs_root_bound": root.getInfo().mip_dual_bound, "optimum": optimum}


# --------------------------------------------------------------------------------- report

def markdown(ls: dict, kn: dict, info: dict) -> str:
    ext = ls["extensive"]
    lines = ["# Decompositions measured before building them (issue 14)", "", machine_line(info), "",
             f"## L-shaped method, disruption-aware design, rung {ls['rung']} "
             f"({ls['scenarios']} scenarios)", "",
             "Both sides plain HiGHS on the textbook arrays, one thread, gap 1e-6, one after the other.",
             "",
             "| phase | iteration | master s | master bound | plan of its design | gap | elapsed s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for i, it in enumerate(ls["iterations"], 1):
        lines.append(f"| {it['phase']} | {i} | {it['master_s']:.1f} | {it['bound']:,.2f} | "
                     f"{it['plan']:,.2f} | {it['gap']:.2e} | {it['elapsed_s']:.1f} |")
    mips = sum(it["phase"] == "MIP" for it in ls["iterations"])
    lines += ["", f"L-shaped: {'optimal' if ls['optimal'] else 'not proven'} at {ls['objective']:,.2f} in "
              f"{ls['seconds']:.1f} s ({mips} MIP masters); extensive form: {ext['status']} at "
              f"{ext['objective']:,.2f} in {ext['seconds']:.1f} s.", "",
              f"## Hub knapsack polytopes, single sourcing, rung {kn['rung']} "
              f"({kn['hubs']} hub knapsacks)", ""]
    lp, opt, root = kn["lp_bounds"][0], kn["optimum"], kn["highs_root_bound"]

    def share(b: float) -> str:
        return "–" if opt is None else f"{(b - lp) / (opt - lp):.1%}"
    lines += ["| bound | value | share of the LP's gap closed |", "|---|---:|---:|",
              f"| LP relaxation of the projected model | {lp:,.2f} | 0% |",
              f"| + Fenchel cuts of the hub knapsacks, {len(kn['cuts'])} rounds ({sum(kn['cuts'])} cuts, "
              f"{kn['fenchel_s']:.0f} s) | {kn['lp_bounds'][-1]:,.2f} | {share(kn['lp_bounds'][-1])} |",
              f"| HiGHS's root bound after its own cuts | {root:,.2f} | {share(root)} |",
              f"| proven optimum (ladder_{kn['rung']}.json) | {'–' if opt is None else f'{opt:,.2f}'} | "
              f"{'–' if opt is None else '100%'} |", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lshaped-rung", default="S")
    ap.add_argument("--knapsack-rung", default="M")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    if args.quick:
        args.lshaped_rung = args.knapsack_rung = "tiny"
        args.rounds, args.time_limit = 3, 60.0
    info = machine_info()
    ls = lshaped(args.lshaped_rung, args.time_limit)
    kn = knapsacks(args.knapsack_rung, args.rounds, HERE / "results")
    stem = "decomposition_quick" if args.quick else "decomposition"
    save(args.out, stem, {"machine": info, "lshaped": ls, "knapsacks": kn}, markdown(ls, kn, info))
    print(markdown(ls, kn, info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
