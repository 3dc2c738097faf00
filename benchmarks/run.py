"""Run the registered benchmarks and write their results and a summary.

    python benchmarks/run.py                 # every benchmark, full size (hours on 2 cores)
    python benchmarks/run.py --quick         # the CI smoke run: smallest sizes, seconds to minutes
    python benchmarks/run.py orlib-cap build # chosen ones

Each benchmark is one seeded script in this folder (``REGISTRY`` names it and its arguments);
each writes ``<out>/<name>.json`` and ``.md`` with the machine, versions and date. The runner
then writes ``<out>/summary.md`` (``summary_quick.md`` for ``--quick``): ours vs the textbook model per
OR-Library / Holmberg group.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from machine import machine_line  # noqa: E402

from resilient_sc.io import write_text  # noqa: E402

#: benchmark name -> (script module, its arguments); ``--quick`` and ``--out`` are added
REGISTRY: dict[str, tuple[str, list[str]]] = {
    "orlib-cap": ("bench_orlib", ["--group", "cap"]),
    "orlib-capabc": ("bench_orlib", ["--group", "capabc", "--time-limit", "300"]),
    "orlib-holmberg": ("bench_orlib", ["--group", "holmberg", "--time-limit", "300",
                                        "--textbook-time-limit", "60"]),
    "build": ("bench_build", []),
    "policies": ("bench_policies", []),
    "premium": ("bench_premium", []),
    "premium-ladder": ("bench_premium_ladder", ["--rung", "M"]),  # issue 14: the premium workload
    "frontier-ladder": ("bench_frontier_ladder", ["--rung", "M"]),  # issue 14: the frontier workload
    "ladder": ("bench_ladder", ["--rung", "S", "--time-limit", "300"]),  # issue 14: ours vs textbook
    "decomposition": ("bench_decomposition", []),  # issue 14: L-shaped and hub knapsacks, measured
    "roadmap": ("bench_roadmap", ["--rung", "S", "--time-limit", "600"]),  # issue 17: 5 periods
    "equivalence": ("equivalence", []),  # behaviour fingerprints: --compare before/after a refactor
    "reading": ("bench_reading", []),  # a workbook with a million formatted empty rows
    "ideas": ("bench_ideas", ["--ablation", "--rung", "S"]),  # issue 14: the ideas kept, one at a time
}
#: the smoke run: one entry per script (the orlib groups share one quick instance list)
QUICK = ("orlib-cap", "build", "policies", "premium", "premium-ladder", "frontier-ladder", "ladder",
         "decomposition", "roadmap", "equivalence", "reading", "ideas")
GROUPS = {"cap": "cap41–cap134 (multi-source)", "capabc": "capa/capb/capc at 12 capacities (multi-source)",
          "holmberg": "Holmberg p1–p71 (single source)", "quick": "smoke set (cap41, cap71, cap131, p1, p2)"}


def run(name: str, quick: bool, out: Path, data: Path | None = None) -> int:
    """Run one registered benchmark; its exit code. ``data``: the OR-Library files, for those
    that read them."""
    module, args = REGISTRY[name]
    main = importlib.import_module(module).main
    given = ["--data", str(data)] if data is not None and module == "bench_orlib" else []
    return int(main(args + given + (["--quick"] if quick else []) + ["--out", str(out)]) or 0)


def summary(out: Path) -> str | None:
    """Markdown: per OR-Library group, ours vs textbook (from the ``orlib_*.json`` present)."""
    rows, info = [], None
    for group, label in GROUPS.items():
        path = out / f"orlib_{group}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        s, info = data["summary"], data["machine"]
        tb_done = s.get("textbook_optimal")
        speed = s.get("speedup_geomean")
        bound = "≥ " if tb_done is not None and tb_done < s["instances"] else ""
        rows.append(f"| {label} | {info['date']} | {s['instances']} | {s['ours_optimal']} | "
                    f"{s['ours_total_solve']:.1f} | "
                    f"{s['ours_max']:.1f} | {s['ours_geomean']:.2f} | "
                    f"{'–' if tb_done is None else tb_done} | "
                    f"{_num(s.get('textbook_total_solve'), '.1f')} | "
                    f"{_num(s.get('textbook_geomean'), '.2f')} | "
                    f"{bound}{_num(speed, '.1f')}{'×' if speed else ''} | "
                    f"{', '.join(s.get('disagreements', [])) or 'none'} |")
    if not rows:
        return None
    return "\n".join([
        "# Ours vs the textbook model", "", "Last group's machine: " + machine_line(info) if info else "", "",
        "Solve seconds, one HiGHS thread each side, proven optimal at gap ≤ 1e-6 (build and file "
        "reading excluded; they are in the per-group tables). Textbook runs stopped by the time limit "
        "count with the limit, so their speedups are lower bounds (≥).", "",
        "| group | run | instances | ours optimal | ours total s | ours max s | ours geomean s | textbook "
        "optimal | textbook total s | textbook geomean s | speedup (geomean) | disagreements |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|", *rows]) + "\n"


def _num(v: Any, fmt: str) -> str:
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, fmt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help=f"benchmarks to run (default: all): {', '.join(REGISTRY)}")
    ap.add_argument("--quick", action="store_true", help="the smoke run: smallest sizes only")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    ap.add_argument("--data", type=Path, help="the OR-Library and Holmberg files (default: "
                    "../shared/data/orlib beside the checkout; their sources: docs/benchmarks.md)")
    args = ap.parse_args(argv)
    if unknown := set(args.names) - set(REGISTRY):
        ap.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(REGISTRY)}")
    names = args.names or list(QUICK if args.quick else REGISTRY)
    before = {p: p.stat().st_mtime_ns for p in args.out.glob("orlib_*.json")}
    failed = [name for name in names if run(name, args.quick, args.out, args.data) != 0]
    ran = any(before.get(p) != p.stat().st_mtime_ns for p in args.out.glob("orlib_*.json"))
    text = summary(args.out) if ran else None  # (a group skipped for want of its files: none of this run)
    if text is not None:  # a smoke run's beside its *_quick files, never over the results' summary
        write_text(args.out / ("summary_quick.md" if args.quick else "summary.md"), text)
        print(text)
    elif any(REGISTRY[n][0] == "bench_orlib" for n in names):
        print("no OR-Library group was run: the summary is left as it was", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
