"""Ours vs the textbook model on the public OR-Library / Holmberg facility location instances.

Each instance is solved side by side, one HiGHS thread each, to proven optimality (gap ≤ 1e-6):
ours through ``resilient_sc`` (network → model → :func:`solve_model`, accelerated unless
``--plain``) and the textbook strong formulation of ``benchmarks/textbook.py``. Both objectives
must agree to 1e-6 when both are proven optimal.

    python benchmarks/bench_orlib.py --group cap          # cap41..cap134, multi-source
    python benchmarks/bench_orlib.py --group capabc       # capa/b/c at 4 capacities each
    python benchmarks/bench_orlib.py --group holmberg     # p1..p71, single sourcing
    python benchmarks/bench_orlib.py --quick              # a CI-sized smoke run

Writes ``<out>/orlib_<group>.json`` and ``.md`` (with machine info) and prints the table.
Data: ``../shared/data/orlib`` from the repository root; the script skips cleanly without it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import machine_info, machine_line, save
from textbook import read_instance as textbook_instance
from textbook import solve_textbook

from resilient_sc import Policy, SolveOptions, solve_model
from resilient_sc.model.build import build_model
from resilient_sc.orlib import read_instance

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "orlib"
CAP = [f"cap{k}" for k in (41, 42, 43, 44, 51, 61, 62, 63, 64, 71, 72, 73, 74, 81, 82, 83, 84, 91, 92, 93,
                          94, 101, 102, 103, 104, 111, 112, 113, 114, 121, 122, 123, 124, 131, 132, 133, 134)]
CAPABC = [f"capa@{c}" for c in (8000, 10000, 12000, 14000)] + \
         [f"capb@{c}" for c in (5000, 6000, 7000, 8000)] + [f"capc@{c}" for c in (5000, 5750, 6500, 7250)]
HOLMBERG = [f"p{k}" for k in range(1, 72)]
QUICK = ["cap41", "cap71", "cap131", "p1", "p2"]
GROUPS = {"cap": CAP, "capabc": CAPABC, "holmberg": HOLMBERG, "all": CAP + CAPABC + HOLMBERG}


def _path(name: str) -> tuple[Path, float | None, bool]:
    """File, capacity override and single-sourcing flag of an instance spec like ``capb@8000``."""
    stem, _, cap = name.partition("@")
    if stem.startswith("p"):
        return DATA / "holmberg" / stem, None, True
    return DATA / f"{stem}.txt", float(cap) if cap else None, False


def use_data(folder: Path) -> None:
    """Read the instances from ``folder`` (the OR-Library files, ``holmberg/`` beside them)."""
    global DATA
    DATA = folder


def run_ours(name: str, time_limit: float, accelerate: bool) -> dict[str, Any]:
    path, cap, single = _path(name)
    t0 = time.perf_counter()
    network = read_instance(path, cap).to_network()
    model = build_model(network, Policy(single_sourcing=single))
    t1 = time.perf_counter()
    options = SolveOptions(threads=1, time_limit=time_limit, accelerate=accelerate, allow_nonoptimal=True)
    plan = solve_model(model, options)
    status, objective, gap = plan.status.value, plan.objective, plan.gap
    t2 = time.perf_counter()
    return {"build": t1 - t0, "solve": t2 - t1, "objective": objective, "gap": gap, "status": status}


def run_textbook(name: str, time_limit: float) -> dict[str, Any]:
    path, cap, single = _path(name)
    r = solve_textbook(textbook_instance(path, cap), single_source=single, threads=1, time_limit=time_limit)
    return {"build": r.build_time, "solve": r.solve_time, "objective": r.objective, "bound": r.bound,
            "gap": r.gap,
            "status": "optimal" if r.status == "Optimal" else r.status.lower().replace(" ", "_")}


def _geomean(values: list[float]) -> float:
    values = [max(v, 1e-3) for v in values if math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ours = [r["ours"]["solve"] for r in rows]
    out: dict[str, Any] = {
        "instances": len(rows),
        "ours_optimal": sum(r["ours"]["status"] == "optimal" for r in rows),
        "ours_total_solve": sum(ours), "ours_total_with_build": sum(r["ours"]["solve"] + r["ours"]["build"]
                                                                    for r in rows),
        "ours_geomean": _geomean(ours), "ours_max": max(ours, default=math.nan),
    }
    if rows and "textbook" in rows[0]:
        tb = [r["textbook"]["solve"] for r in rows]
        out |= {"textbook_optimal": sum(r["textbook"]["status"] == "optimal" for r in rows),
                "textbook_total_solve": sum(tb), "textbook_geomean": _geomean(tb),
                "speedup_geomean": _geomean(tb) / _geomean(ours),
                "disagreements": [r["name"] for r in rows if r.get("agree") is False]}
    return out


def markdown(group: str, rows: list[dict[str, Any]], summary: dict[str, Any], info: dict[str, Any]) -> str:
    tb = rows and "textbook" in rows[0]
    head = "| instance | ours status | ours objective | ours build s | ours solve s |"
    rule = "|---|---|---:|---:|---:|"
    if tb:
        head += " textbook status | textbook objective | textbook solve s | speedup | agree |"
        rule += "---|---:|---:|---:|---|"
    lines = [f"# OR-Library benchmark: {group}", "",
             f"{machine_line(info)} · HiGHS threads 1 · time limit per solve {info['time_limit']:g} s "
             f"(textbook {info['textbook_time_limit']:g} s)",
             "", "Solve times in seconds, each side proven optimal (gap ≤ 1e-6) unless its status says "
             "otherwise; a speedup marked ≥ is against a textbook run stopped by the time limit. "
             "agree: the same optimum, or for a stopped textbook run, its plan no cheaper and its "
             "bound no higher than our optimum.",
             "", head, rule]
    for r in rows:
        o = r["ours"]
        line = (f"| {r['name']} | {o['status']} | {o['objective']:.3f} | {o['build']:.2f} | "
                f"{o['solve']:.2f} |")
        if tb:
            t = r["textbook"]
            speed = t["solve"] / max(o["solve"], 1e-3)
            at_least = "≥ " if t["status"] != "optimal" else ""
            line += (f" {t['status']} | {t['objective']:.3f} | {t['solve']:.2f} | {at_least}{speed:.1f}× | "
                     f"{'' if r.get('agree') is None else ('yes' if r['agree'] else 'NO')} |")
        lines.append(line)
    lines += ["", "| summary | value |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in summary.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--group", choices=sorted(GROUPS), default="cap")
    ap.add_argument("--quick", action="store_true", help="a few small instances (CI smoke run)")
    ap.add_argument("--only", help="comma-separated instance names (e.g. capb@8000,p30)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve (each side)")
    ap.add_argument("--textbook-time-limit", type=float,
                    help="seconds per textbook solve (default: --time-limit)")
    ap.add_argument("--no-textbook", action="store_true", help="ours only")
    ap.add_argument("--plain", action="store_true", help="ours without the accelerations")
    ap.add_argument("--data", type=Path, default=DATA,
                    help=f"the OR-Library files (default: {DATA}; where to get them: docs/benchmarks.md)")
    args = ap.parse_args(argv)
    use_data(args.data)
    if not DATA.is_dir():  # (the smoke run passes without the data: tests skip when it is absent)
        print(f"SKIPPED: no OR-Library instance was run: {DATA} is not present (give the folder of the "
              "cap*.txt and p* files with --data; where they come from: docs/benchmarks.md)", file=sys.stderr)
        return 0
    names = QUICK if args.quick else GROUPS[args.group]
    if args.only:
        names = args.only.split(",")
    group = "quick" if args.quick else (args.group if not args.only else "custom")
    group += "_plain" if args.plain else ""
    textbook_limit = args.textbook_time_limit or args.time_limit
    info = machine_info() | {"time_limit": args.time_limit, "textbook_time_limit": textbook_limit}
    rows: list[dict[str, Any]] = []
    for name in names:
        row: dict[str, Any] = {"name": name, "ours": run_ours(name, args.time_limit, not args.plain)}
        if not args.no_textbook:
            row["textbook"] = run_textbook(name, textbook_limit)
            a, b = row["ours"], row["textbook"]
            tol = 1e-6 * max(1.0, abs(a["objective"]))
            if a["status"] == b["status"] == "optimal":
                row["agree"] = abs(a["objective"] - b["objective"]) <= tol
            elif a["status"] == "optimal" and math.isfinite(b["objective"]):
                # a stopped textbook run: its plan cannot beat our optimum, nor its bound exceed it
                row["agree"] = b["objective"] >= a["objective"] - tol and b["bound"] <= a["objective"] + tol
        rows.append(row)
        o = row["ours"]
        extra = ""
        if "textbook" in row:
            t = row["textbook"]
            extra = (f" | textbook {t['status']} {t['objective']:.3f} {t['solve']:.2f}s"
                     f" agree={row.get('agree')}")
        print(f"{name}: ours {o['status']} {o['objective']:.3f} build {o['build']:.2f}s "
              f"solve {o['solve']:.2f}s{extra}", flush=True)
    summary = summarise(rows)
    text = markdown(group, rows, summary, info)
    payload = {"group": group, "machine": info, "summary": summary, "rows": rows}
    save(args.out, f"orlib_{group}", payload, text)
    print(text)
    return 0 if not summary.get("disagreements") else 1


if __name__ == "__main__":
    raise SystemExit(main())
