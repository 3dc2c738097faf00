"""Issue 17: a 5-period roadmap of a ladder rung with a glide path, ours (``solve_roadmap``)
against a textbook multi-period extensive form in plain HiGHS, side by side, each solve in its
own subprocess (peak memory per case).

    python benchmarks/bench_roadmap.py --rung S [--time-limit 600]
    python benchmarks/bench_roadmap.py --quick      # the smoke run: rung "tiny"

The roadmap (:func:`roadmap_network`): the rung's network over 2026–2030 (weights 0.95^t);
today's network is its Asian suppliers and every third other one (``existing``, closing cost
half their fixed cost) and every hub (``existing``); the other suppliers are candidates with lead
time 1 or 2 (alternating) and an opening cost equal to their fixed cost; demand grows 4 % a year
(a ``period`` row per market, product and year from 2027). Policies: the cost-optimal path, and
a glide path raising the local share 0, 0, 0.2, 0.35, 0.5 and capping any one foreign country
from 2028 (0.5, then 0.4 in 2030).

The textbook side is built here: per period the one-period extensive form of bench_ladder.py
(``textbook_arrays``) on that period's data (period rows chosen here, candidates whose lead time
is later than the period closed, the glide path's values of that period as a plain policy),
stacked block-diagonally with each period's costs times its weight, plus for every supplier and
hub columns started[e,t], stopped[e,t] ∈ [0, 1] with started ≥ z_t − z_{t−1},
stopped ≥ z_{t−1} − z_t (z_{−1} = 1 for existing elements), costing weight × opening or
closing cost.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ladder import (  # noqa: E402
    AGREE_WORDS,
    agreement,
    compare,
    exit_code,
    finish,
    in_subprocess,
    run_textbook,
    textbook_arrays,
    to_highs,
)
from ladder import RUNGS, ladder_network  # noqa: E402
from machine import machine_info, machine_line, save  # noqa: E402

from resilient_sc import Network, Policy  # noqa: E402

PERIODS = ("2026", "2027", "2028", "2029", "2030")
GROWTH = 0.04
LOCAL = (0.0, 0.0, 0.2, 0.35, 0.5)
CAP = (None, None, 0.5, 0.5, 0.4)
POLICY_NAMES = ("cost-optimal path", "glide path")


def roadmap_network(rung: str, seed: int = 0) -> Network:
    """The 5-period roadmap of ladder rung ``rung`` (see the module docstring)."""
    f = ladder_network(rung, seed, disruptions=False).frames()
    region = f["countries"].set_index("country")["region"]
    sup = f["suppliers"]
    today = sup["country"].map(region).eq("Asia").to_numpy() | (np.arange(len(sup)) % 3 == 0)
    sup["status"] = np.where(today, "existing", "candidate")
    sup["closing_cost"] = np.where(today, 0.5 * sup["fixed_cost"], 0.0)
    sup["opening_cost"] = np.where(today, 0.0, sup["fixed_cost"])
    sup["lead_time"] = np.where(today, 0, 1 + np.arange(len(sup)) % 2)
    f["hubs"]["status"] = "existing"
    demand = f["demand"]
    grown = [demand.assign(demand=(demand["demand"] * (1 + GROWTH) ** t).round(2), period=p)
             for t, p in enumerate(PERIODS) if t]
    f["demand"] = pd.concat([demand, *grown], ignore_index=True)
    weights = [round(0.95 ** t, 4) for t in range(len(PERIODS))]
    f["periods"] = pd.DataFrame({"period": PERIODS, "weight": weights})
    return Network.from_frames(source=f"roadmap {rung}", **f)


def glide_policy() -> Policy:
    """The glide path as one policy with period keys (ours)."""
    cap = {p: c for p, c in zip(PERIODS, CAP, strict=True) if c is not None}
    return Policy(min_local_share=dict(zip(PERIODS, LOCAL, strict=True)), max_country_share=cap)


def period_policy(name: str, t: int) -> Policy:
    """The policy of period ``t`` as a plain one-period policy (the textbook side)."""
    if name == "cost-optimal path":
        return Policy()
    return Policy(min_local_share=LOCAL[t], max_country_share=CAP[t])


def textbook_roadmap(net: Network, name: str) -> dict:
    """The stacked extensive form (arrays of ``bench_ladder.textbook_arrays``)."""
    import scipy.sparse as sp

    frames = net.frames()
    weights = net.periods["weight"].to_numpy(float)
    blocks = []
    for t, period in enumerate(PERIODS):
        f = {k: v.copy() for k, v in frames.items() if k != "periods"}
        for table, key in (("demand", ["market", "product"]), ("supplier_products", ["supplier", "product"]),
                           ("tariffs", ["origin_country", "destination_country", "product"])):
            df = f[table]
            mine = df.loc[df["period"] == period]
            keep = (df["period"] == "") & ~df.set_index(key).index.isin(mine.set_index(key).index)
            f[table] = pd.concat([df.loc[keep], mine], ignore_index=True).assign(period="")
        for table in ("suppliers", "hubs"):
            df = f[table]
            df.loc[(df["status"] == "candidate") & (df["lead_time"] > t), "status"] = "closed"
            df["status"] = df["status"].replace("existing", "candidate")
            df["lead_time"] = 0  # applied just above
        blocks.append(textbook_arrays(Network.from_frames(**f), period_policy(name, t)))
    a = sp.block_diag([b["a"] for b in blocks], format="csr")
    cost = np.concatenate([w * b["cost"] for w, b in zip(weights, blocks, strict=True)])
    offsets = np.cumsum([0] + [b["a"].shape[1] for b in blocks])
    cols = {k: [np.concatenate([b[k] for b in blocks])] for k in ("col_lower", "col_upper", "binary")}
    rows = {"r": [], "c": [], "v": [], "lo": [], "hi": []}
    n_col, n_row = a.shape[1], a.shape[0]
    for kind, table in (("suppliers", frames["suppliers"]), ("hubs", frames["hubs"])):
        for e, status, opening, closing in zip(table[kind[:-1]], table["status"], table["opening_cost"],
                                                table["closing_cost"], strict=True):
            if status == "closed":
                continue
            z = []
            for t, b in enumerate(blocks):
                ids = b["suppliers"] if kind == "suppliers" else b["hubs"]
                shift = 0 if kind == "suppliers" else len(b["suppliers"])
                z.append(offsets[t] + shift + ids.index(e) if e in ids else None)
            before = 1.0 if status in ("existing", "open") else 0.0
            for t in range(len(PERIODS)):
                for sign, price in ((1.0, opening), (-1.0, closing)):
                    # started − z_t + z_{t−1} ≥ 0 / stopped + z_t − z_{t−1} ≥ 0; z_{−1} = before
                    col = n_col
                    n_col += 1
                    cost = np.append(cost, weights[t] * price)
                    cols["col_lower"].append([0.0])
                    cols["col_upper"].append([1.0])
                    cols["binary"].append([False])
                    terms = [(col, 1.0)]
                    if z[t] is not None:
                        terms.append((z[t], -sign))
                    if t and z[t - 1] is not None:
                        terms.append((z[t - 1], sign))
                    rows["r"] += [n_row] * len(terms)
                    rows["c"] += [c for c, _ in terms]
                    rows["v"] += [v for _, v in terms]
                    rows["lo"].append(-sign * before if t == 0 else 0.0)
                    rows["hi"].append(math.inf)
                    n_row += 1
    links = sp.csr_matrix((rows["v"], (np.asarray(rows["r"]) - a.shape[0], rows["c"])),
                          shape=(n_row - a.shape[0], n_col))
    a = sp.vstack([sp.hstack([a, sp.csr_matrix((a.shape[0], n_col - a.shape[1]))]), links], format="csr")
    return {"cost": cost, "a": a, "col_lower": np.concatenate(cols["col_lower"]),
            "col_upper": np.concatenate(cols["col_upper"]), "binary": np.concatenate(cols["binary"]),
            "row_lower": np.concatenate([np.concatenate([b["row_lower"] for b in blocks]), rows["lo"]]),
            "row_upper": np.concatenate([np.concatenate([b["row_upper"] for b in blocks]), rows["hi"]])}


def one(rung: str, name: str, side: str, time_limit: float, threads: int) -> dict:
    """One solve (run in a subprocess by :func:`case`)."""
    from resilient_sc import SolveOptions, solve_roadmap
    t0 = time.perf_counter()
    net = roadmap_network(rung)
    if side == "ours":
        policy = Policy() if name == "cost-optimal path" else glide_policy()
        r = solve_roadmap(net, policy, SolveOptions(time_limit=time_limit, threads=threads,
                                                    allow_nonoptimal=True))
        res = {"status": r.status.value, "objective": r.objective, "bound": r.bound, "gap": r.gap,
               "build_s": r.build_time, "solve_s": r.solve_time, "columns": r.model.lm.n_cols,
               "rows": r.model.lm.n_rows, "verified": r.verify() == []}
    else:
        res = run_textbook(to_highs(textbook_roadmap(net, name)), t0, time_limit, threads)
    return finish(res, t0)


def case(rung: str, name: str, side: str, time_limit: float, threads: int) -> dict:
    """:func:`one` in a fresh Python process, so the peak memory is this case's."""
    return in_subprocess(__file__, [rung, name, side, str(time_limit), str(threads)], time_limit)


def markdown(rung: str, rows: list[dict], info: dict, time_limit: float) -> str:
    def f(v, fmt):
        return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, fmt)
    n_s, n_h, n_m, n_p = RUNGS[rung]
    lines = [f"# Roadmap of rung {rung}: {n_s} suppliers × {n_h} hubs × {n_m} markets × {n_p} products "
             f"× {len(PERIODS)} periods", "", machine_line(info), "",
             "One subprocess per solve (memory = its peak RSS), time limit "
             f"{time_limit:g} s, gap 1e-6; seconds are the subprocess's wall time (network, build, "
             "solve). The glide path: local share " + ", ".join(f"{v:g}" for v in LOCAL)
             + "; foreign-country cap from 2028 " + ", ".join("–" if c is None else f"{c:g}" for c in CAP)
             + ".", "",
             "| path | ours status | ours objective | ours s | ours MB | ours columns | textbook status "
             "| textbook objective | textbook s | textbook MB | agree | speed-up |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"]
    for r in rows:
        o, t = r["ours"], r["textbook"]
        both = o.get("status") == "optimal" and t.get("status") == "optimal"
        speed = f"{t['wall_s'] / o['wall_s']:.1f}×" if both else "–"
        lines.append(f"| {r['name']} | {o.get('status')} | {f(o.get('objective'), ',.2f')} | "
                     f"{f(o.get('wall_s'), '.1f')} | {f(o.get('peak_mb'), '.0f')} | "
                     f"{f(o.get('columns'), ',')} | "
                     f"{t.get('status')} | {f(t.get('objective'), ',.2f')} | {f(t.get('wall_s'), '.1f')} | "
                     f"{f(t.get('peak_mb'), '.0f')} | {AGREE_WORDS[agreement(o, t)]} | {speed} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--one"]:
        rung, name, side, tl, threads = argv[1:6]
        print(json.dumps(one(rung, name, side, float(tl), int(threads))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rung", default="S", choices=list(RUNGS))
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    rung, stem = args.rung, f"roadmap_{args.rung}"
    if args.quick:
        rung, stem, args.time_limit = "tiny", "roadmap_quick", min(args.time_limit, 60.0)
    rows = []
    for name in POLICY_NAMES:
        o = case(rung, name, "ours", args.time_limit, args.threads)
        t = case(rung, name, "textbook", args.time_limit, args.threads)
        compare(name, o, t)  # its line; the table and the exit code judge the row again
        rows.append({"name": name, "ours": o, "textbook": t})
    info = machine_info()
    save(args.out, stem, {"machine": info, "rung": rung, "periods": PERIODS, "time_limit": args.time_limit,
                          "threads": args.threads, "rows": rows}, markdown(rung, rows, info, args.time_limit))
    return exit_code(rows, "name")


if __name__ == "__main__":
    raise SystemExit(main())
