"""Issue 14: ours (``resilient_sc.solve``) against a textbook extensive form in plain HiGHS on a
ladder rung, side by side in one run, each solve in its own subprocess (peak memory per case).

    python benchmarks/bench_ladder.py --rung S [--policies base near-shoring ...] [--time-limit 300]
    python benchmarks/bench_ladder.py --rung L --policies friend-shoring --merge  # re-run one row
    python benchmarks/bench_ladder.py --quick      # the smoke run: rung "tiny", three policies

Writes ``ladder_<rung>.json`` and ``.md``. The textbook side is built here with scipy + highspy:
z[s], o[h] binaries; x[s,h,p]; y[h,m,p,c] with the origin country c; rows demand, origin
balance, supplier capacity (× z), hub capacity (× o), hub links y ≤ d·o, the policy rows
(local / allied share, country cap) and, for ``survive``, one recourse block x^f[s,h,p],
y^f[h,m,p] per failure (balance, capacities × z / o, Σ_h y^f ≥ β·d). Single sourcing adds
binaries a[h,m] per market (all its products): Σ_h a[h,m] = 1, Σ_{p,c} y[h,m,p,c] ≤ D_m·a[h,m]
with D_m = Σ_p d[m,p], a[h,m] ≤ o[h]. A shortfall penalty π adds u[m,p] (Σ y + u = d, cost π);
disruption-aware design (docs/formulation.md §5b) then adds one recourse block per scenario of
the ``disruptions`` table (its rows fail together; a country loses its suppliers and hubs) with
u^f[m,p] and Σ_h y^f + u^f = d, costed w·prob_f·(unit + lane + handling on x^f, lane on y^f, π
on u^f): no tariffs in recourse. It takes the lane, tariff and origin expansion from
``build_sets`` tables (as pyomo_rules.py does), nothing of the library's model.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ladder import POLICIES, RUNGS, ladder_network  # noqa: E402
from machine import machine_info, machine_line, save  # noqa: E402

from resilient_sc.io import write_text  # noqa: E402

TEXTBOOK = ("base", "near-shoring", "friend-shoring", "survive country 0.8", "survive supplier 1.0",
            "single sourcing", "disruption-aware")
QUICK = ("base", "near-shoring", "survive country 0.8")
#: the policy fields the textbook models (any other raises: it would be solved as if not set)
TEXTBOOK_FIELDS = frozenset({"min_local_share", "min_allied_share", "max_country_share", "survive",
                             "service_level", "single_sourcing", "shortfall_penalty", "disruption_weight"})


class _Rows:
    """COO assembly of constraint rows."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def add(self, row: np.ndarray, col: np.ndarray, val: np.ndarray, n_rows: int,
            lo: float | np.ndarray, hi: float | np.ndarray) -> None:
        self.r.append(np.asarray(row) + self.n)
        self.c.append(np.asarray(col))
        self.v.append(np.broadcast_to(np.asarray(val, float), np.shape(row)).copy())
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (n_rows,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (n_rows,)).copy())
        self.n += n_rows


def _codes(*cols):
    """Dense codes of the rows' key tuples and their count."""
    import pandas as pd
    key = pd.MultiIndex.from_arrays(cols) if len(cols) > 1 else pd.Index(cols[0])
    codes, uniques = pd.factorize(key)
    return codes, len(uniques)


def build_textbook(net, policy):
    """The extensive form as a ``highspy.Highs`` (not yet run); its number of columns and rows."""
    return to_highs(textbook_arrays(net, policy))


def textbook_arrays(net, policy, sets=None) -> dict:
    """The extensive form as arrays: ``cost``, ``a`` (CSR), ``col_lower``, ``col_upper``,
    ``row_lower``, ``row_upper``, ``binary`` (bool per column), and ``suppliers``/``hubs`` (the
    ids of the first columns: z then o). ``sets`` default to ``build_sets(net, policy)``."""
    import highspy
    import scipy.sparse as sp

    from resilient_sc.model.sets import build_sets
    if unmodelled := sorted(set(policy.to_dict()) - TEXTBOOK_FIELDS):  # never a model of another policy
        raise NotImplementedError(f"the textbook does not model {', '.join(unmodelled)}")
    sets = build_sets(net, policy) if sets is None else sets
    sup, hub, dem = sets.suppliers.reset_index(drop=True), sets.hubs.reset_index(drop=True), sets.demand
    inb, fl, supply = sets.inbound, sets.flows, sets.supply
    s_idx = {s: i for i, s in enumerate(sup["supplier"])}
    h_idx = {h: i for i, h in enumerate(hub["hub"])}
    dm = dem.set_index(["market", "product"])
    d_of = dm["demand"]
    inf = highspy.kHighsInf
    ns, nh, nx, ny = len(sup), len(hub), len(inb), len(fl)
    xs = inb["supplier"].map(s_idx).to_numpy()
    xh = inb["hub"].map(h_idx).to_numpy()
    X0, Y0 = ns + nh, ns + nh + nx
    cost = [sup["fixed_cost"].to_numpy(float), hub["fixed_cost"].to_numpy(float),
            (inb["unit_cost"] + inb["lane_cost"] + inb["handling_cost"]).to_numpy(float),
            (fl["lane_cost"] + fl["tariff"]).to_numpy(float)]
    rows = _Rows()
    ncol, binary = Y0 + ny, [np.arange(ns + nh)]

    def columns(c: np.ndarray, is_binary: bool = False) -> np.ndarray:
        """New columns costing ``c``; their indices."""
        nonlocal ncol
        idx = ncol + np.arange(len(c))
        ncol += len(c)
        cost.append(np.asarray(c, float))
        if is_binary:
            binary.append(idx)
        return idx
    ycol = Y0 + np.arange(ny)
    xcol = X0 + np.arange(nx)
    yd = pd_index = d_of.reindex(list(zip(fl["market"], fl["product"], strict=True))).to_numpy(float)
    del pd_index
    # demand; with a shortfall penalty π every demand row gets u[m,p] ≥ 0 at cost π
    pi = policy.shortfall_penalty
    if pi is None:
        r, n = _codes(fl["market"], fl["product"])
        dvals = d_of.reindex(_uniq(fl["market"], fl["product"])).to_numpy(float)
        rows.add(r, ycol, 1.0, n, dvals, dvals)
    else:
        dpos = {k: i for i, k in enumerate(d_of.index)}
        nd = len(dpos)
        ucol = columns(np.full(nd, float(pi)))
        r = np.array([dpos[k] for k in zip(fl["market"], fl["product"], strict=True)], dtype=int)
        rows.add(np.concatenate([r, np.arange(nd)]), np.concatenate([ycol, ucol]), 1.0, nd,
                 d_of.to_numpy(float), d_of.to_numpy(float))
    # origin balance [h,p,c]
    keys = (list(inb["hub"]) + list(fl["hub"]), list(inb["product"]) + list(fl["product"]),
            list(inb["country"]) + list(fl["origin"]))
    r, n = _codes(*keys)
    rows.add(r, np.concatenate([xcol, ycol]), np.concatenate([np.ones(nx), -np.ones(ny)]), n, 0.0, 0.0)
    # supplier capacity [s,p] ≤ cap z
    cap = supply.set_index(["supplier", "product"])["capacity"]
    r, n = _codes(inb["supplier"], inb["product"])
    caps = cap.reindex(_uniq(inb["supplier"], inb["product"])).to_numpy(float)
    zs = np.array([s_idx[s] for s, _ in _uniq(inb["supplier"], inb["product"])])
    rows.add(np.concatenate([r, np.arange(n)]), np.concatenate([xcol, zs]),
             np.concatenate([np.ones(nx), -caps]), n, -inf, 0.0)
    # hub capacity
    hcap = hub["capacity"].to_numpy(float)
    rows.add(np.concatenate([xh, np.arange(nh)]), np.concatenate([xcol, ns + np.arange(nh)]),
             np.concatenate([np.ones(nx), -hcap]), nh, -inf, 0.0)
    # hub links [h,m,p]: Σ_c y ≤ d o[h]
    r, n = _codes(fl["hub"], fl["market"], fl["product"])
    u = _uniq(fl["hub"], fl["market"], fl["product"])
    rows.add(np.concatenate([r, np.arange(n)]),
             np.concatenate([ycol, ns + np.array([h_idx[h] for h, _, _ in u])]),
             np.concatenate([np.ones(ny), -d_of.reindex([(m, p) for _, m, p in u]).to_numpy(float)]),
             n, -inf, 0.0)
    # policy rows
    region = net.countries.set_index("country")["region"] if hasattr(net, "countries") else None
    creg = sets.countries.set_index("country")["region"]
    cbloc = sets.countries.set_index("country")["bloc"].fillna("")
    mcountry = fl["market"].map(dem.drop_duplicates("market").set_index("market")["country"])
    del region
    for share, pick in ((policy.min_local_share,
                         lambda: fl["origin"].map(creg).to_numpy() == mcountry.map(creg).to_numpy()),
                        (policy.min_allied_share,
                         lambda: (fl["origin"].to_numpy() == mcountry.to_numpy())
                         | ((fl["origin"].map(cbloc).to_numpy() == mcountry.map(cbloc).to_numpy())
                            & (mcountry.map(cbloc).to_numpy() != "")))):
        if share is None:
            continue
        keep = pick()
        mk = list(zip(fl["market"], fl["product"], strict=True))
        ukeys = _uniq(fl["market"], fl["product"])
        pos = {k: i for i, k in enumerate(ukeys)}
        r = np.array([pos[k] for k, ok in zip(mk, keep, strict=True) if ok], dtype=int)
        rows.add(r, ycol[keep], 1.0, len(ukeys), float(share) * d_of.reindex(ukeys).to_numpy(float), inf)
    if policy.max_country_share is not None:
        foreign = fl["origin"].to_numpy() != mcountry.to_numpy()
        f = fl[foreign]
        r, n = _codes(f["market"], f["product"], f["origin"])
        u = _uniq(f["market"], f["product"], f["origin"])
        rows.add(r, ycol[foreign], 1.0, n, -inf,
                 float(policy.max_country_share) * d_of.reindex([(m, p) for m, p, _ in u]).to_numpy(float))
    # single sourcing: a[h,m] binary per (hub, market) that can carry flow, one hub per market
    if policy.single_sourcing:
        pairs = _uniq(fl["hub"], fl["market"])
        acol = columns(np.zeros(len(pairs)), is_binary=True)
        total = dem.groupby("market")["demand"].sum()
        mpos = {m: i for i, m in enumerate(total.index)}
        rows.add(np.array([mpos[m] for _, m in pairs], dtype=int), acol, 1.0, len(mpos), 1.0, 1.0)
        r, n = _codes(fl["hub"], fl["market"])
        rows.add(np.concatenate([r, np.arange(n)]), np.concatenate([ycol, acol]),
                 np.concatenate([np.ones(ny), -total.reindex([m for _, m in pairs]).to_numpy(float)]),
                 n, -inf, 0.0)
        rows.add(np.concatenate([np.arange(n), np.arange(n)]),
                 np.concatenate([acol, ns + np.array([h_idx[h] for h, _ in pairs], dtype=int)]),
                 np.concatenate([np.ones(n), -np.ones(n)]), n, -inf, 0.0)
    # recourse blocks: survive (one per failure, free flows, Σ_h y^f ≥ β·d) and disruption
    # scenarios (flows at weight × base unit costs without tariffs, Σ_h y^f + u^f = d)
    beta = 1.0 if policy.service_level is None else float(policy.service_level)
    out = sets.outbound.reset_index(drop=True)
    oh = out["hub"].map(h_idx).to_numpy()
    od = d_of.reindex(list(zip(out["market"], out["product"], strict=True))).to_numpy(float)
    x_cost = (inb["unit_cost"] + inb["lane_cost"] + inb["handling_cost"]).to_numpy(float)

    def recourse(lost_s: np.ndarray, lost_h: np.ndarray, weight: float | None = None) -> list:
        """One block for the loss of ``lost_s`` and ``lost_h``; without ``weight`` (survive) its
        flows are free and must deliver β·d, with it (a scenario) they and u^f cost weight × unit
        cost; returns the (market, product) keys it can reach."""
        kx = ~(lost_s[xs] | lost_h[xh])
        ky = ~lost_h[oh]
        fx, fy = inb[kx], out[ky]
        nfx, nfy = len(fx), len(fy)
        if weight is None:
            cx, cy = columns(np.zeros(nfx)), columns(np.zeros(nfy))
        else:
            cx, cy = columns(weight * x_cost[kx]), columns(weight * fy["lane_cost"].to_numpy(float))
        r, n = _codes(list(fx["hub"]) + list(fy["hub"]), list(fx["product"]) + list(fy["product"]))
        rows.add(r, np.concatenate([cx, cy]), np.concatenate([np.ones(nfx), -np.ones(nfy)]), n, 0.0, 0.0)
        r, n = _codes(fx["supplier"], fx["product"])
        u = _uniq(fx["supplier"], fx["product"])
        rows.add(np.concatenate([r, np.arange(n)]), np.concatenate([cx, [s_idx[s] for s, _ in u]]),
                 np.concatenate([np.ones(nfx), -cap.reindex(u).to_numpy(float)]), n, -inf, 0.0)
        rows.add(np.concatenate([xh[kx], np.arange(nh)]), np.concatenate([cx, ns + np.arange(nh)]),
                 np.concatenate([np.ones(nfx), -hcap]), nh, -inf, 0.0)
        if weight is None:
            r, n = _codes(fy["market"], fy["product"])
            u = _uniq(fy["market"], fy["product"])
            rows.add(r, cy, 1.0, n, beta * d_of.reindex(u).to_numpy(float), inf)
            return u
        dpos = {k: i for i, k in enumerate(d_of.index)}
        nd = len(dpos)
        uf = columns(np.full(nd, weight * float(pi)))
        r = np.array([dpos[k] for k in zip(fy["market"], fy["product"], strict=True)], dtype=int)
        rows.add(np.concatenate([r, np.arange(nd)]), np.concatenate([cy, uf]), 1.0, nd,
                 d_of.to_numpy(float), d_of.to_numpy(float))
        return list(d_of.index)

    dis = sets.disruptions
    if pi is not None and policy.disruption_weight and not dis.empty:
        for _, part in dis.groupby("scenario", sort=False):
            lost_s, lost_h = np.zeros(ns, bool), np.zeros(nh, bool)
            for kind, element in zip(part["kind"], part["element"], strict=True):
                if kind == "supplier":
                    lost_s |= (sup["supplier"] == element).to_numpy()
                elif kind == "hub":
                    lost_h |= (hub["hub"] == element).to_numpy()
                else:
                    lost_s |= (sup["country"] == element).to_numpy()
                    lost_h |= (hub["country"] == element).to_numpy()
            recourse(lost_s, lost_h, float(policy.disruption_weight) * float(part["probability"].iloc[0]))
    failures = []
    for kind in policy.survive:
        if kind == "supplier":
            failures += [((sup["supplier"] == s).to_numpy(), np.zeros(nh, bool)) for s in sup["supplier"]]
        elif kind == "country":
            for c in sorted(set(sup["country"]) | set(hub["country"])):
                failures.append(((sup["country"] == c).to_numpy(), (hub["country"] == c).to_numpy()))
        else:
            failures += [(np.zeros(ns, bool), (hub["hub"] == h).to_numpy()) for h in hub["hub"]]
    for lost_s, lost_h in failures:
        u = recourse(lost_s, lost_h)
        # an unreachable (market, product) would need β·d from nothing: infeasible, as it should be
        missing = set(d_of.index) - set(u)
        if missing and beta > 0:
            raise ValueError("a failure leaves a market unreachable")
    del yd, od
    a = sp.csr_matrix((np.concatenate(rows.v), (np.concatenate(rows.r), np.concatenate(rows.c))),
                      shape=(rows.n, ncol))
    # open suppliers and hubs are forced in (docs/conventions.md §8.6)
    opened = np.concatenate([sup["status"] == "open", hub["status"] == "open"]).astype(float)
    is_binary = np.zeros(ncol, bool)
    is_binary[np.concatenate(binary)] = True
    return {"cost": np.concatenate(cost), "a": a,
            "col_lower": np.concatenate([opened, np.zeros(ncol - ns - nh)]),
            "col_upper": np.where(is_binary, 1.0, inf), "row_lower": np.concatenate(rows.lo),
            "row_upper": np.concatenate(rows.hi), "binary": is_binary,
            "suppliers": sup["supplier"].tolist(), "hubs": hub["hub"].tolist()}


def to_highs(m: dict):
    """A ``highspy.Highs`` holding the arrays of :func:`textbook_arrays` (not yet run); its
    number of columns and rows."""
    import highspy

    a, is_binary = m["a"].tocsr(), m["binary"]
    ncol, nrow = a.shape[1], a.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = ncol, nrow
    lp.col_cost_ = m["cost"]
    lp.col_lower_, lp.col_upper_ = m["col_lower"], m["col_upper"]
    lp.row_lower_, lp.row_upper_ = m["row_lower"], m["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = ncol, nrow
    kind = highspy.HighsVarType
    lp.integrality_ = [kind.kInteger if b else kind.kContinuous for b in is_binary]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h, ncol, nrow


def _uniq(*cols):
    """The distinct key tuples in first-seen order (the order ``_codes`` numbers them)."""
    seen: dict = {}
    for k in (zip(*cols, strict=True) if len(cols) > 1 else cols[0]):
        seen.setdefault(k, len(seen))
    return list(seen)


def one(rung: str, policy: str, side: str, time_limit: float, threads: int, seed: int = 0) -> dict:
    """One solve (run in a subprocess by :func:`case`), HiGHS's random seed ``seed`` on both sides."""
    from resilient_sc import SolveOptions, solve
    t0 = time.perf_counter()
    net = ladder_network(rung)
    pol = POLICIES[policy]
    if side == "ours":
        plan = solve(net, pol, SolveOptions(time_limit=time_limit, threads=threads, allow_nonoptimal=True,
                                             seed=seed))
        res = {"status": plan.status.value, "objective": plan.objective, "bound": plan.bound,
               "gap": plan.gap, "build_s": plan.build_time, "solve_s": plan.solve_time,
               "route": plan.report.route, "note": plan.report.note}
    else:
        res = run_textbook(build_textbook(net, pol), t0, time_limit, threads, seed)
    return finish(res, t0)


def run_textbook(built: tuple, t0: float, time_limit: float, threads: int, seed: int = 0) -> dict:
    """Run a textbook model from :func:`build_textbook` or :func:`to_highs` at gap 1e-6; its
    status, objective, bound, gap, seconds (build since ``t0``, solve) and size."""
    h, ncol, nrow = built
    start = time.perf_counter()
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", seed)
    h.run()
    info = h.getInfo()
    ok = info.primal_solution_status == 2
    return {"status": h.modelStatusToString(h.getModelStatus()).lower(),
            "objective": float(info.objective_function_value) if ok else math.nan,
            "bound": float(info.mip_dual_bound), "gap": float(info.mip_gap) if ok else math.inf,
            "build_s": start - t0, "solve_s": time.perf_counter() - start, "columns": ncol, "rows": nrow}


def finish(res: dict, t0: float) -> dict:
    """``res`` with the wall seconds since ``t0`` and this process's peak memory (MB)."""
    res["wall_s"] = time.perf_counter() - t0
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def in_subprocess(script: str, args: list[str], time_limit: float) -> dict:
    """``script --one ARGS`` in a fresh Python process (so the peak memory is its own); the JSON
    line it prints last, or an error status."""
    t0 = time.perf_counter()
    command = [sys.executable, script, "--one", *args]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=time_limit * 3 + 600)
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": [f"killed after {time_limit * 3 + 600:g} s"],
                "wall_s": time.perf_counter() - t0}
    if proc.returncode != 0:
        return {"status": "error", "error": proc.stderr.strip().splitlines()[-1:],
                "wall_s": time.perf_counter() - t0}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def case(rung: str, policy: str, side: str, time_limit: float, threads: int, seed: int = 0) -> dict:
    """:func:`one` in a fresh Python process, so the peak memory is this case's."""
    if side == "textbook" and policy not in TEXTBOOK:
        return {"status": "not built"}
    return in_subprocess(__file__, [rung, policy, side, str(time_limit), str(threads), str(seed)], time_limit)


def speedup(row: dict) -> tuple[str, float | None]:
    """Textbook seconds over ours for one row: (text, ratio when both proved optimality);
    "≥ r" when only ours did (the textbook's time limit over our time), "–" otherwise."""
    o, t = row["ours"], row["textbook"]
    if o.get("status") != "optimal" or not o.get("wall_s"):
        return "–", None
    ratio = (t.get("wall_s") or 0.0) / o["wall_s"]
    if t.get("status") == "optimal":
        return f"{ratio:.1f}×", ratio
    # a lower bound, so rounded down: 2.63 reads ≥ 2.6×, 17.6 reads ≥ 17×
    bound = math.floor(ratio) if ratio >= 10 else math.floor(ratio * 10) / 10
    return (f"≥ {bound:g}×", None) if t.get("wall_s") else ("–", None)


def merged(path: Path, rows: list[dict], info: dict) -> list[dict]:
    """``rows`` of this run and, in :data:`POLICIES` order, the rows
    of the earlier run saved at ``path`` for the policies this run did not solve (each keeping
    the machine facts of its own run)."""
    if not path.exists():
        return rows
    old = json.loads(path.read_text())
    by_policy = {r["policy"]: {"machine": old["machine"], "time_limit": old["time_limit"],
                               "threads": old.get("threads", 1), **r} for r in old["rows"]}
    by_policy.update({r["policy"]: r for r in rows})
    return [by_policy[p] for p in POLICIES if p in by_policy]


def runs(rows: list[dict], info: dict) -> list[str]:
    """One Markdown line per run the ``rows`` come from: its machine line and its policies."""
    lines: dict[str, list[str]] = {}
    for r in rows:
        lines.setdefault(machine_line(r.get("machine", info)), []).append(r["policy"])
    if len(lines) == 1:
        return [next(iter(lines))]
    return [f"- {', '.join(policies)}: {line}" for line, policies in lines.items()]


def markdown(rung: str, rows: list[dict], info: dict, time_limit: float, seed: int = 0) -> str:
    def f(v, fmt):
        return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, fmt)
    n_s, n_h, n_m, n_p = RUNGS[rung]
    limits = " or ".join(f"{t:g}" for t in sorted({r.get("time_limit", time_limit) for r in rows}))
    title = f"# Ladder rung {rung}: {n_s} suppliers × {n_h} hubs × {n_m} markets × {n_p} products"
    lines = [title + (f", HiGHS's random seed {seed}" if seed else ""), "",
             *runs(rows, info), "",
             f"One subprocess per solve (memory = its peak RSS), time limit {limits} s per solve, "
             f"gap 1e-6, HiGHS's random seed {seed} on both sides. Seconds are wall time of the "
             "subprocess's work (network generation, build, "
             "solve); speed-up = textbook s / ours s. Agree: each side's bound is no higher than the "
             "other's plan, and two proven optima are within 1e-6 of each other (– where a side has no "
             "plan and bound: not run, or none found).", "",
             "| policy | ours status | ours objective | ours gap | ours s | ours MB | textbook status "
             "| textbook objective | textbook gap | textbook s | textbook MB | agree | speed-up |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|"]
    ratios = []
    for r in rows:
        o, t = r["ours"], r["textbook"]
        text, ratio = speedup(r)
        if ratio is not None:
            ratios.append(ratio)
        lines.append(f"| {r['policy']} | {o.get('status')} | {f(o.get('objective'), ',.2f')} | "
                     f"{f(o.get('gap'), '.2e')} | {f(o.get('wall_s'), '.1f')} | "
                     f"{f(o.get('peak_mb'), '.0f')} | "
                     f"{t.get('status')} | {f(t.get('objective'), ',.2f')} | {f(t.get('gap'), '.2e')} | "
                     f"{f(t.get('wall_s'), '.1f')} | {f(t.get('peak_mb'), '.0f')} | "
                     f"{AGREE_WORDS[agreement(o, t)]} | {text} |")
    if ratios:
        mean = math.exp(sum(map(math.log, ratios)) / len(ratios))
        lines += ["", f"Geometric mean speed-up over the {len(ratios)} cases both sides proved: {mean:.1f}×."]
    return "\n".join(lines) + "\n"


def compare(name: str, ours: dict, textbook: dict) -> bool | None:
    """:func:`agreement` of the sides, printing the case's line."""
    agree = agreement(ours, textbook)
    print(f"{name:<22} ours {ours.get('status')} {ours.get('objective')} {ours.get('wall_s', 0):.1f}s | "
          f"textbook {textbook.get('status')} {textbook.get('objective')} "
          f"{textbook.get('wall_s', 0) or 0:.1f}s | agree {agree}", flush=True)
    return agree


#: what the tables' ``agree`` column says
AGREE_WORDS = {True: "yes", False: "**no**", None: "–"}


def agreement(ours: dict, textbook: dict) -> bool | None:
    """Whether the sides agree: each side's bound no higher than the other's plan, and, both
    proven optimal at gap 1e-6, their objectives within 1e-6 relative of each other (each is
    within that of the optimum); None without a plan and bound on each."""
    values = [side.get(k) for side in (ours, textbook) for k in ("objective", "bound")]
    if any(v is None or not math.isfinite(v) for v in values):
        agree = None
    else:
        ours_obj, ours_bound, tb_obj, tb_bound = values
        tol = 1.01e-6 * max(1.0, abs(ours_obj), abs(tb_obj))
        agree = ours_bound <= tb_obj + tol and tb_bound <= ours_obj + tol
        if ours.get("status") == "optimal" and textbook.get("status") == "optimal":
            agree = agree and abs(ours_obj - tb_obj) <= tol
    return agree


def exit_code(rows: list[dict], key: str) -> int:
    """1 (and the cases named on stderr) when a row's sides disagree or one ended in an error."""
    bad = [r[key] for r in rows if agreement(r["ours"], r["textbook"]) is False
           or "error" in (r["ours"].get("status"), r["textbook"].get("status"))]
    if bad:
        print(f"disagreements or errors: {bad}", file=sys.stderr)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--one"]:
        rung, policy, side, tl, threads, seed = argv[1:7]
        print(json.dumps(one(rung, policy, side, float(tl), int(threads), int(seed))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rung", default="S", choices=list(RUNGS))
    ap.add_argument("--policies", nargs="*", default=list(POLICIES), choices=list(POLICIES))
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0,
                    help="HiGHS's random seed on both sides; other than 0 writes ladder_<rung>_seed<k>")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ours-only", action="store_true", help="skip the textbook side (large rungs)")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--merge", action=argparse.BooleanOptionalAction, default=True,
                    help="keep the saved rows of the policies not run, each with its run's machine line "
                         "(the default: one policy run again wiped the others' rows); --no-merge starts over")
    ap.add_argument("--render", action="store_true",
                    help="run nothing: write the saved rows' Markdown table again")
    args = ap.parse_args(argv)
    rung, policies = args.rung, args.policies
    stem = f"ladder_{rung}" + (f"_seed{args.seed}" if args.seed else "")
    if args.quick:
        rung, policies, stem = "tiny", list(QUICK), "ladder_quick"
        args.time_limit = min(args.time_limit, 60.0)
    rows, info = [], machine_info()
    if args.render:
        saved = json.loads((args.out / f"{stem}.json").read_text(encoding="utf-8"))
        write_text(args.out / f"{stem}.md", markdown(saved["rung"], saved["rows"], saved["machine"],
                                                     saved["time_limit"], saved.get("seed", 0)))
        return exit_code(saved["rows"], "policy")
    for name in policies:
        o = case(rung, name, "ours", args.time_limit, args.threads, args.seed)
        t = ({"status": "not run"} if args.ours_only
             else case(rung, name, "textbook", args.time_limit, args.threads, args.seed))
        compare(name, o, t)  # its line; the tables and the exit code judge each row again
        rows.append({"policy": name, "ours": o, "textbook": t, "machine": info, "time_limit": args.time_limit,
                     "threads": args.threads})
    if args.merge:
        rows = merged(args.out / f"{stem}.json", rows, info)
    save(args.out, stem, {"machine": info, "rung": rung, "size": RUNGS[rung], "time_limit": args.time_limit,
                          "threads": args.threads, "seed": args.seed, "rows": rows},
         markdown(rung, rows, info, args.time_limit, args.seed))
    return exit_code(rows, "policy")


if __name__ == "__main__":
    raise SystemExit(main())
