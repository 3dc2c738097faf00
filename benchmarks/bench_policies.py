"""Cost, build and solve time of each single policy field on the bundled example.

    python benchmarks/bench_policies.py [--quick] [--out benchmarks/results]

Prints a Markdown table and writes ``policies.json`` and ``policies.md``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from machine import machine_info, machine_line, save

from resilient_sc import InfeasiblePolicyError, Policy, build_model, examples, solve_model

#: one typical value per field (docs/formulation.md §5)
POLICIES: dict[str, Policy] = {
    "base": Policy(),
    "min_local_share 0.5": Policy(min_local_share=0.5),
    "min_allied_share 0.7": Policy(min_allied_share=0.7),
    "max_country_share 0.4": Policy(max_country_share=0.4),
    "max_supplier_share 0.3": Policy(max_supplier_share=0.3),
    "min_suppliers 3": Policy(min_suppliers=3),
    "excluded_countries [CN]": Policy(excluded_countries=("CN",)),
    "survive [supplier] 1.0": Policy(survive=("supplier",)),
    "survive [hub] 1.0": Policy(survive=("hub",)),
    "survive [country] 0.8": Policy(survive=("country",), service_level=0.8),
    "co2_price 0.5": Policy(co2_price=0.5),
    "single_sourcing": Policy(single_sourcing=True),
    "max_hubs 3": Policy(max_hubs=3),
}


#: the smoke run's fields
QUICK = ("base", "min_local_share 0.5", "max_hubs 3")


def run(names: tuple[str, ...] = tuple(POLICIES)) -> list[dict[str, object]]:
    net = examples.electronics()
    rows: list[dict[str, object]] = []
    base_cost = None
    for name in names:
        policy = POLICIES[name]
        t = time.perf_counter()
        try:
            model = build_model(net, policy)
            build = time.perf_counter() - t
            plan = solve_model(model)
        except InfeasiblePolicyError as exc:
            rows.append({"policy": name, "status": "infeasible", "reason": str(exc)})
            continue
        base_cost = base_cost or plan.objective
        rows.append({"policy": name, "status": plan.status.value, "cost": plan.objective,
                     "premium_pct": 100 * (plan.objective - base_cost) / base_cost,
                     "columns": model.lm.n_cols, "rows": model.lm.n_rows,
                     "build_s": build, "solve_s": plan.solve_time,
                     "suppliers": len(plan.suppliers), "hubs": len(plan.hubs)})
        print(f"{name:<26} {rows[-1].get('cost', float('nan')):>16,.2f}  build {build:.2f}s  "
              f"solve {plan.solve_time:.2f}s", flush=True)
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = ["| policy | cost | premium % | columns | rows | build s | solve s | suppliers | hubs |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["status"] != "optimal":
            lines.append(f"| {r['policy']} | {r['status']} | | | | | | | |")
            continue
        lines.append(f"| {r['policy']} | {r['cost']:,.2f} | {r['premium_pct']:.2f} | {r['columns']} | "
                     f"{r['rows']} | {r['build_s']:.2f} | {r['solve_s']:.2f} | {r['suppliers']} | "
                     f"{r['hubs']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke run: three fields only")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    rows = run(QUICK if args.quick else tuple(POLICIES))
    table = markdown(rows)
    info = machine_info()
    print(table)
    save(args.out, "policies_quick" if args.quick else "policies", {"machine": info, "rows": rows},
         f"# Single policy fields on the bundled example\n\n{machine_line(info)}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
