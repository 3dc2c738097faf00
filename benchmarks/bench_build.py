"""Model build time and memory vs size, against the pyomo build of the same model.

    python benchmarks/bench_build.py [--quick] [--repeats 5] [--out benchmarks/results]

Each size runs in a fresh process: after one build of a tiny network (imports and first-call
costs, for our build and for each pyomo build), it generates a dense network (every supplier
reaches every hub, every hub every market), then times ``build_model`` (sets + every family) and
the hand-over to HiGHS (``make_highs``: one ``passModel``), and records the peak RSS
growth over the data alone (one build and hand-over). Every time is the fastest of
``--repeats`` runs (5), for our build and for each pyomo build alike. Up to ``--pyomo-max``
columns, two pyomo builds of the same
formulation are timed against ``build + passModel``: "pyomo", our own vectorised export
(``build_model`` + ``resilient_sc.solvers.pyomo.model_to_pyomo``), and "pyomo rules", the base
model written as a typical pyomo user writes it (``build_sets`` + ``pyomo_rules.build_pyomo_rules``:
sets of tuples, params from dicts, constraint rules over Python adjacency dicts; base policy
only; "rules / build" compares it with ``build_model`` alone, since neither pyomo build
includes handing the model to a solver). A last case builds ``survive: [country]`` on 30
countries. Writes ``build.json`` and ``build.md``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from machine import machine_info, machine_line, save

from resilient_sc import Network, Policy, build_model
from resilient_sc.solvers.base import SolveOptions
from resilient_sc.solvers.highs import make_highs

#: (suppliers, hubs, markets, products, countries): columns ≈ s·h·p + h·m·p·min(c, s)
SIZES = [(5, 10, 40, 2, 5), (10, 20, 100, 5, 5), (10, 20, 200, 5, 5), (20, 50, 400, 5, 5),
         (50, 100, 1000, 5, 5)]
QUICK = SIZES[:2]
#: built once before the timed builds of each process, so that neither side pays imports
WARM_UP = (2, 2, 4, 2, 2)
SURVIVE = (60, 30, 300, 3, 30)
T = TypeVar("T")


def dense_network(n_s: int, n_h: int, n_m: int, n_p: int, n_c: int, seed: int = 0) -> Network:
    """Every supplier makes every product and reaches every hub; every hub reaches every market."""
    rng = np.random.default_rng(seed)
    c = [f"C{i}" for i in range(n_c)]
    p = [f"P{i}" for i in range(n_p)]
    s = [f"S{i}" for i in range(n_s)]
    h = [f"H{i}" for i in range(n_h)]
    m = [f"M{i}" for i in range(n_m)]
    demand = rng.uniform(1, 10, n_m * n_p)
    return Network.from_frames(
        countries=pd.DataFrame({"country": c, "region": [f"R{i % 3}" for i in range(n_c)],
                                "bloc": [["", "B1", "B2"][i % 3] for i in range(n_c)]}),
        suppliers=pd.DataFrame({"supplier": s, "country": [c[i % n_c] for i in range(n_s)],
                                "fixed_cost": 100.0}),
        supplier_products=pd.DataFrame({
            "supplier": np.repeat(s, n_p), "product": np.tile(p, n_s),
            "capacity": 3 * demand.sum() / n_s, "unit_cost": rng.uniform(1, 10, n_s * n_p)}),
        hubs=pd.DataFrame({"hub": h, "country": [c[i % n_c] for i in range(n_h)], "fixed_cost": 1000.0,
                           "capacity": 3 * demand.sum() / n_h}),
        markets=pd.DataFrame({"market": m, "country": [c[i % n_c] for i in range(n_m)]}),
        demand=pd.DataFrame({"market": np.repeat(m, n_p), "product": np.tile(p, n_m), "demand": demand}),
        lanes=pd.concat([
            pd.DataFrame({"origin": np.repeat(s, n_h), "destination": np.tile(h, n_s),
                          "unit_cost": rng.uniform(1, 5, n_s * n_h)}),
            pd.DataFrame({"origin": np.repeat(h, n_m), "destination": np.tile(m, n_h),
                          "unit_cost": rng.uniform(1, 5, n_h * n_m)})]),
    )


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB -> GB on Linux


def _timed(run: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``run()``, and its result."""
    t = time.perf_counter()
    result = run()
    return time.perf_counter() - t, result


def _fastest(run: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``run`` (seconds)."""
    return min(_timed(run)[0] for _ in range(repeats))


def _measure(size: tuple[int, ...], policy: Policy, pyomo_max: int, repeats: int, queue: mp.Queue) -> None:
    warm = build_model(dense_network(*WARM_UP))  # lazy imports, first-call costs
    make_highs(warm.lm, SolveOptions())
    net = dense_network(*size)
    base_rss = _rss_gb()
    first, model = _timed(lambda: build_model(net, policy))
    make_highs(model.lm, SolveOptions())
    peak = _rss_gb() - base_rss  # before the repeats, which hold two models at once
    build = min(first, _fastest(lambda: build_model(net, policy), repeats - 1)) if repeats > 1 else first
    handover = _fastest(lambda: make_highs(model.lm, SolveOptions()), repeats)
    row = {"size": "x".join(map(str, size)), "policy": policy.to_dict(), "columns": model.lm.n_cols,
           "rows": model.lm.n_rows, "nonzeros": int(model.lm.matrix().nnz), "build_s": build,
           "handover_s": handover, "peak_gb": peak, "repeats": repeats}
    if model.lm.n_cols <= pyomo_max:
        from pyomo_rules import build_pyomo_rules

        from resilient_sc.model.sets import build_sets
        from resilient_sc.solvers.pyomo import model_to_pyomo

        model_to_pyomo(warm)
        row["pyomo_s"] = _fastest(lambda: model_to_pyomo(model), repeats) + build
        row["pyomo_ratio"] = row["pyomo_s"] / (build + handover)
        if policy == Policy():  # the rule-based build has the base families only
            build_pyomo_rules(warm.sets)
            row["pyomo_rules_s"] = _fastest(lambda: build_pyomo_rules(build_sets(net, policy)), repeats)
            row["pyomo_rules_ratio"] = row["pyomo_rules_s"] / (build + handover)
            row["pyomo_rules_build_ratio"] = row["pyomo_rules_s"] / build
    queue.put(row)


def measure(size: tuple[int, ...], policy: Policy, pyomo_max: int, repeats: int = 5) -> dict[str, object]:
    """One size in a fresh process (clean peak-memory reading)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(size, policy, pyomo_max, repeats, queue))
    proc.start()
    row = queue.get()
    proc.join()
    return row


def markdown(rows: list[dict[str, object]]) -> str:
    lines = ["| size s×h×m×p×c | policy | columns | rows | build s | passModel s | peak GB | pyomo s "
             "| pyomo / ours | pyomo rules s | rules / ours | rules / build |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        py = f"{r['pyomo_s']:.2f} | {r['pyomo_ratio']:.0f}×" if "pyomo_s" in r else "– | –"
        rules = "– | – | –"
        if "pyomo_rules_s" in r:
            rules = (f"{r['pyomo_rules_s']:.2f} | {r['pyomo_rules_ratio']:.0f}× | "
                     f"{r['pyomo_rules_build_ratio']:.0f}×")
        lines.append(f"| {r['size']} | {r['policy'] or 'base'} | {r['columns']:,} | {r['rows']:,} | "
                     f"{r['build_s']:.3f} | {r['handover_s']:.3f} | {r['peak_gb']:.2f} | {py} | {rules} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes only")
    parser.add_argument("--pyomo-max", type=int, default=150_000, help="largest pyomo build (columns)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per build; the fastest counts")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    rows = []
    cases = [(s, Policy()) for s in (QUICK if args.quick else SIZES)]
    if not args.quick:
        cases.append((SURVIVE, Policy(survive=("country",), service_level=0.8)))
    for size, policy in cases:
        rows.append(measure(size, policy, args.pyomo_max, args.repeats))
        print(markdown(rows[-1:]).splitlines()[-1], flush=True)
    table = markdown(rows)
    info = machine_info()
    print(table)
    save(args.out, "build_quick" if args.quick else "build", {"machine": info, "rows": rows},
         f"# Build time and memory\n\n{machine_line(info)}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
