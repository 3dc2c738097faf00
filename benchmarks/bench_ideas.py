"""Issue 14 ideas measured before they go into the library: each one against plain HiGHS on the
model as built, side by side in one run, same network, same policy.

* ``strong supplier links``: add x[s,h,p] ≤ min(capacity[s,p], demand of p reachable through
  h, capacity[h]) · z[s] to the model (the per-product variable upper bounds of the issue).
* ``reduced-cost fixing``: an incumbent from HiGHS (stopped at its first improving plan), the LP
  relaxation's reduced costs, binaries fixed where |reduced cost| > incumbent − LP bound, then
  HiGHS on the reduced MIP (exact: only plans dearer than the incumbent are cut off).

    python benchmarks/bench_ideas.py [--size 60 12 150] [--time-limit 120] [--out benchmarks/results]

Both sides of these two run on HiGHS alone (``accelerate=False``): the ideas against the model as
built, not against the library's routes.

``--ablation --rung S`` measures the ideas kept, one added at a time on the issue-14 ladder
(``ladder.py``), each policy in one process, one after the other: plain HiGHS on the model as
built; + the HiGHS options of ``AccelerateOptions.network_options``; + merged origins; + failure
generation and lazy caps (every route: the library's default). Writes ``ablation_<rung>``;
``--quick`` (the smoke run of ``run.py``) the ablation of rung ``tiny`` as ``ablation_tiny_quick``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generated_network
from machine import machine_info, machine_line, save

from resilient_sc import NetworkModel, Policy, SolveOptions, build_model, solve_model
from resilient_sc.solvers import routes
from resilient_sc.solvers.highs import make_highs

POLICIES = {"base": Policy(), "near-shoring 0.5": Policy(min_local_share=0.5),
            "survive country 0.8": Policy(survive=("country",), service_level=0.8)}


def strong_supplier_links(model: NetworkModel) -> NetworkModel:
    """The model with the rows x[s,h,p] ≤ M[s,h,p] · z[s] added (M as in the module docstring)."""
    s, lm = model.sets, model.lm
    x, z = lm.variables["inbound_flow"], lm.variables["supplier_contracted"]
    inb, out = s.inbound_table, s.outbound_table
    d_product = pd.Index(s.products_table["product"]).get_indexer(s.demand_table["product"])
    n_p = len(s.products_table)
    reach = np.bincount(out["_hub"] * n_p + d_product[out["_demand"]],
                        np.asarray(s.demand_table["demand"], float)[out["_demand"]],
                        minlength=len(s.hubs_table) * n_p)
    x_product = pd.Index(s.products_table["product"]).get_indexer(inb["product"])
    big = np.minimum.reduce([np.asarray(s.supply_table["capacity"], float)[inb["_supply"]],
                             reach[inb["_hub"] * n_p + x_product],
                             np.asarray(s.hubs_table["capacity"], float)[inb["_hub"]]])
    n = np.arange(x.size)
    lm.add_constraints("supplier_link", pd.DataFrame({"arc": n}),
                       [(n, x, n, 1.0), (n, z, inb["_supplier"], -big)], upper=0.0)
    return model


def reduced_cost_fixing(model: NetworkModel, limit: float) -> tuple[str, float, int]:
    """(status, objective, binaries fixed) of the incumbent + LP + fixing + reduced MIP."""
    lm, n = model.lm, model.lm.n_cols
    first = make_highs(lm, SolveOptions(time_limit=limit, accelerate=False))
    first.setOptionValue("mip_max_improving_sols", 1)
    first.run()
    ub = first.getInfo().objective_function_value
    lp = make_highs(lm, SolveOptions(accelerate=False))
    lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    lp.run()
    gap = ub - lp.getInfo().objective_function_value
    x, d = np.asarray(lp.getSolution().col_value), np.asarray(lp.getSolution().col_dual)
    lo, up, _, _, integer = lm.bounds()
    ints = np.flatnonzero(integer)
    at0 = ints[(x[ints] <= 1e-9) & (d[ints] > gap + 1e-6)]
    at1 = ints[(x[ints] >= 1 - 1e-9) & (-d[ints] > gap + 1e-6)]
    up[at0], lo[at1] = 0.0, 1.0
    reduced = make_highs(lm, SolveOptions(time_limit=limit, accelerate=False))
    reduced.changeColsBounds(n, np.arange(n, dtype=np.int32), lo, up)
    reduced.run()
    return (reduced.modelStatusToString(reduced.getModelStatus()), reduced.getInfo().objective_function_value,
            len(at0) + len(at1))


#: the ablation's steps: (name, accelerate, routes)
STEPS = (("plain HiGHS", False, (routes.HIGHS,)),
         ("+ HiGHS options", True, (routes.HIGHS,)),
         ("+ merged origins", True, routes.ROUTES[routes.ROUTES.index(routes.MERGED):]),
         ("+ failure generation, lazy caps", True, routes.ROUTES))


def ablation(rung: str, limit: float, out: Path, stem: str) -> None:
    """Seconds per policy and step of :data:`STEPS` on ladder rung ``rung``."""
    from ladder import POLICIES as LADDER
    from ladder import ladder_network

    net = ladder_network(rung)
    rows = []
    for name, policy in LADDER.items():
        model = build_model(net, policy)
        row = {"policy": name}
        for step, accelerate, chosen in STEPS:
            t = time.perf_counter()
            options = SolveOptions(time_limit=limit, accelerate=accelerate)
            result, _ = routes.solve_linear(model, options, None, chosen)
            row[step] = {"status": result.status.value, "objective": result.objective,
                         "seconds": time.perf_counter() - t}
            print(name, step, row[step], flush=True)
        rows.append(row)
    info = machine_info()
    steps = [s for s, _, _ in STEPS]
    table = ["| policy | " + " | ".join(steps) + " |", "|---|" + "---:|" * len(steps)]
    for r in rows:
        cells = [f"{r[s]['seconds']:.1f}" + ("" if r[s]["status"] == "optimal" else f" ({r[s]['status']})")
                 for s in steps]
        table.append(f"| {r['policy']} | " + " | ".join(cells) + " |")
    text = "\n".join([f"# Issue 14 ideas, one at a time, on ladder rung {rung}", "", machine_line(info), "",
                      f"Seconds to a proven optimum (gap 1e-6), time limit {limit:g} s, one process, "
                      "default threads.", "", *table, ""])
    save(out, stem, {"machine": info, "rung": rung, "rows": rows}, text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, nargs=3, default=(60, 12, 150), metavar=("S", "H", "M"))
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    ap.add_argument("--ablation", action="store_true")
    ap.add_argument("--rung", default="S")
    ap.add_argument("--quick", action="store_true", help="the smoke run: the ablation of rung tiny")
    args = ap.parse_args(argv)
    if args.ablation or args.quick:
        rung = "tiny" if args.quick else args.rung
        ablation(rung, args.time_limit, args.out, f"ablation_{rung}" + ("_quick" if args.quick else ""))
        return
    net = generated_network(*args.size, seed=1)
    rows = []
    for name, policy in POLICIES.items():
        options = SolveOptions(time_limit=args.time_limit, allow_nonoptimal=True, accelerate=False)
        for idea in ("plain HiGHS", "strong supplier links", "reduced-cost fixing"):
            t = time.perf_counter()
            if idea == "reduced-cost fixing":
                status, objective, fixed = reduced_cost_fixing(build_model(net, policy), args.time_limit)
            else:
                model = build_model(net, policy)
                plan = solve_model(strong_supplier_links(model) if idea != "plain HiGHS" else model, options)
                status, objective, fixed = plan.status.value, plan.objective, 0
            rows.append({"policy": name, "idea": idea, "status": status, "objective": objective,
                         "seconds": time.perf_counter() - t, "binaries_fixed": fixed})
            print(rows[-1], flush=True)
    info = machine_info()
    table = ["| policy | idea | status | objective | seconds | binaries fixed |",
             "|---|---|---|---:|---:|---:|"]
    table += [f"| {r['policy']} | {r['idea']} | {r['status']} | {r['objective']:,.2f} | {r['seconds']:.1f} | "
              f"{r['binaries_fixed']} |" for r in rows]
    size = "×".join(map(str, args.size))
    text = "\n".join([f"# Issue 14 ideas on generate.py {size} (3 products)", "",
                      machine_line(info), "", *table, ""])
    save(args.out, "ideas", {"machine": info, "rows": rows}, text)


if __name__ == "__main__":
    main()
