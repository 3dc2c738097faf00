"""Premium benchmark: what the standard policies cost, how long each solve takes, and what
warm-starting a frontier sweep saves, on the bundled example and on seeded networks of
growing size.

    python benchmarks/bench_premium.py           # full run (minutes)
    python benchmarks/bench_premium.py --quick   # CI smoke run (one small network)

Prints Markdown tables and writes ``benchmarks/results/premium.json`` and ``premium.md``
(``premium_quick.*`` with ``--quick``), with the machine, versions and date. Every network
is seeded, so the costs are reproducible; the times depend on the machine and its load
(the load average is recorded).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from generate import generated_network
from machine import machine_info, machine_line, save

from resilient_sc import Network, Policy, SolveOptions, examples, frontier
from resilient_sc.analysis import premium_outcomes, premium_table

SEED = 2024
RESULTS = Path(__file__).resolve().parent / "results"
#: the standard policies of the premium table (the base is added by premium())
POLICIES = {
    "near_shoring": Policy(min_local_share=0.5),
    "friend_shoring": Policy(min_allied_share=0.7, max_country_share=0.4),
    "redundant": Policy(min_suppliers=2, survive=("country",), service_level=0.8),
}
OPTIONS = SolveOptions()  # HiGHS defaults: proven optimal (gap 1e-6), HiGHS's thread count


@dataclass(frozen=True)
class BenchSpec:
    """One benchmark network: how to build it and the frontier sweep timed warm and cold."""

    name: str
    build: Callable[[], Network]
    field: str
    values: tuple[float, ...]
    quick: bool = False


SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
SPECS = [
    BenchSpec("generated 12×8×12", partial(generated_network, 12, 8, 12, seed=SEED), "min_local_share",
              SHARES, quick=True),
    BenchSpec("electronics", examples.electronics, "min_local_share", SHARES),
    BenchSpec("generated 24×12×24", partial(generated_network, 24, 12, 24, seed=SEED), "min_local_share",
              SHARES),
    BenchSpec("generated 48×16×48", partial(generated_network, 48, 16, 48, seed=SEED), "min_local_share",
              SHARES),
]


def bench_premium(spec: BenchSpec, net: Network) -> list[dict[str, Any]]:
    """The premium table of the standard policies, solved one at a time (times per solve)."""
    outcomes = premium_outcomes(net, POLICIES, options=OPTIONS, failures=("country",), workers=1)
    table = premium_table(outcomes).set_index("policy")
    rows = []
    for o in outcomes:
        row: dict[str, Any] = {"network": spec.name, "policy": o.name, "status": table.loc[o.name, "status"]}
        if o.plan is not None:
            lm = o.plan.model.lm if o.plan.model is not None else None
            row.update(cost=o.plan.objective, premium_pct=float(table.loc[o.name, "premium_pct"]),
                       worst_country_served=float(table.loc[o.name, "worst_served"]),
                       suppliers=len(o.plan.suppliers), hubs=len(o.plan.hubs),
                       columns=lm.n_cols if lm else None, rows=lm.n_rows if lm else None,
                       build_s=o.plan.build_time, solve_s=o.plan.solve_time)
        rows.append(row)
    return rows


def bench_warm_start(spec: BenchSpec, net: Network) -> dict[str, Any]:
    """The frontier sweep solved warm (each point starts from the previous design) and cold
    (independent solves, one process): total seconds and the largest cost difference."""
    sweeps = {}
    for warm in (True, False):
        t = time.perf_counter()
        df = frontier(net, spec.field, list(spec.values), options=OPTIONS, warm_start=warm, workers=1,
                      failures=())
        sweeps[warm] = (df, time.perf_counter() - t)
    (w, w_wall), (c, c_wall) = sweeps[True], sweeps[False]
    both = w["cost"].notna() & c["cost"].notna()
    diff = ((w["cost"] - c["cost"]).abs() / c["cost"].abs())[both]
    return {
        "network": spec.name, "field": spec.field, "values": list(spec.values), "points": len(spec.values),
        "feasible": int(both.sum()), "same_status": bool((w["status"] == c["status"]).all()),
        "max_rel_cost_diff": float(diff.max()) if len(diff) else math.nan,
        "warm_solve_s": float(w["solve_time"].sum()), "cold_solve_s": float(c["solve_time"].sum()),
        "warm_total_s": float(w["time"].sum()), "cold_total_s": float(c["time"].sum()),
        "warm_wall_s": w_wall, "cold_wall_s": c_wall,
        "solve_gain_pct": 100 * (1 - w["solve_time"].sum() / c["solve_time"].sum()),
        "costs": [None if math.isnan(v) else v for v in w["cost"]],
    }


def markdown(info: dict[str, Any], premiums: list[dict[str, Any]], warm: list[dict[str, Any]]) -> str:
    """The results as Markdown: machine, premium table, warm-start table."""
    p, m = pd.DataFrame(premiums), info["machine"]
    lines = [f"# Premium benchmark{' (quick)' if info['quick'] else ''}", "",
             f"{machine_line(m)} · seed {info['seed']}", "",
             "## Premium of the standard policies", "",
             "Premium over the cost of the cost-optimal base (%); worst served = demand served under the "
             "worst single country failure; times per solve in seconds (build = model assembly, solve = "
             "HiGHS).", "",
             "| network | policy | status | cost | premium | worst served | suppliers | hubs | columns "
             "| build s | solve s |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in p.to_dict("records"):
        if r["status"] == "infeasible":
            lines.append(f"| {r['network']} | {r['policy']} | infeasible |  |  |  |  |  |  |  |  |")
            continue
        lines.append(f"| {r['network']} | {r['policy']} | {r['status']} | {r['cost']:,.2f} | "
                     f"{r['premium_pct']:.2f}% | {r['worst_country_served']:.1%} | {r['suppliers']} | "
                     f"{r['hubs']} | {r['columns']:,} | {r['build_s']:.2f} | {r['solve_s']:.2f} |")
    lines += ["", "## Warm-started frontier vs independent solves", "",
              "The same sweep solved warm (each point starts HiGHS from the previous design) and cold "
              "(independent solves, one process); seconds summed over the points (total = build + solve).",
              "", "| network | sweep | points | warm solve s | cold solve s | solve gain | warm total s | "
              "cold total s | max cost diff |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in warm:
        sweep = f"{r['field']} {min(r['values'])}–{max(r['values'])}"
        lines.append(f"| {r['network']} | {sweep} | {r['points']} | "
                     f"{r['warm_solve_s']:.2f} | {r['cold_solve_s']:.2f} | {r['solve_gain_pct']:.0f}% | "
                     f"{r['warm_total_s']:.2f} | {r['cold_total_s']:.2f} | {r['max_rel_cost_diff']:.1e} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke run: the smallest network only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    specs = [s for s in SPECS if s.quick or not args.quick]
    info: dict[str, Any] = {"quick": args.quick, "seed": SEED, "machine": machine_info(),
                            "policies": {k: v.to_dict() for k, v in POLICIES.items()},
                            "options": {"mip_gap": OPTIONS.mip_gap, "threads": OPTIONS.threads}}
    premiums: list[dict[str, Any]] = []
    warm: list[dict[str, Any]] = []
    for spec in specs:
        net = spec.build()
        print(f"{spec.name}: {net!r}", file=sys.stderr, flush=True)
        premiums += bench_premium(spec, net)
        warm.append(bench_warm_start(spec, net))
    text = markdown(info, premiums, warm)
    stem = "premium_quick" if args.quick else "premium"
    save(args.out, stem, {**info, "premium": premiums, "warm_start": warm}, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
