"""Premium frontier on a ladder rung: the issue-14 workload "a frontier, longer", timed end to end
through ``resilient_sc.frontier`` and set beside the textbook extensive form at every point.

    python benchmarks/bench_frontier_ladder.py --rung M        # the issue's network (about 20 min)
    python benchmarks/bench_frontier_ladder.py --quick         # CI smoke run (rung "tiny")

``min_local_share`` sweeps 0, 0.1, ..., 0.6 (``--field`` / ``--values`` for another sweep) over
the base policy, one HiGHS thread per solve, and each point's design is stress-tested on every
single country failure. The frontier runs twice: warm (the points in order, each starting HiGHS
from the previous design) and cold (independent solves, ``--workers`` at a time). The textbook
extensive form of ``bench_ladder.py`` then solves every point, one after the other, each in its
own subprocess; its objective must agree with the frontier's cost within 1e-5 where both are
proven. Writes ``frontier_ladder_<rung>.json`` and ``.md`` with the machine and versions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ladder import AGREE_WORDS, build_textbook, compare, finish, in_subprocess, run_textbook  # noqa: E402
from ladder import ladder_network  # noqa: E402
from machine import finite, machine_info, machine_line, save  # noqa: E402

from resilient_sc import Policy, SolveOptions, frontier  # noqa: E402

RESULTS = HERE / "results"
VALUES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def point_policy(field: str, value: float) -> Policy:
    """The base policy with ``field`` set to ``value`` (one point of the sweep)."""
    return Policy().sweep(field, [value])[0]


def one(rung: str, field: str, value: float, time_limit: float) -> dict:
    """The textbook extensive form of one point, solved here (run in a subprocess by :func:`main`)."""
    net = ladder_network(rung)  # (not timed: our side's time is its build and solve alone)
    t0 = time.perf_counter()
    built = build_textbook(net, point_policy(field, value))
    return finish(run_textbook(built, t0, time_limit, threads=1), t0)


def sweep(rung: str, field: str, values: list[float], time_limit: float, warm: bool,
          workers: int) -> tuple[list[dict[str, Any]], float]:
    """``frontier`` on ``rung``: its rows (finite numbers or None) and the whole call's wall seconds."""
    net = ladder_network(rung)
    options = SolveOptions(threads=1, time_limit=time_limit, allow_nonoptimal=True)
    t = time.perf_counter()
    table = frontier(net, field, values, options=options, warm_start=warm, workers=workers)
    wall = time.perf_counter() - t
    keep = [field, "status", "cost", "premium_pct", "worst_served", "local_share", "n_suppliers",
            "n_hubs", "time"]
    rows = finite(table[[c for c in keep if c in table]].to_dict("records"))
    return rows, wall


def run(rung: str, field: str, values: list[float], time_limit: float, workers: int,
        textbook: bool) -> dict[str, Any]:
    """Warm and cold frontiers and, with ``textbook``, the extensive form at every point."""
    warm, warm_s = sweep(rung, field, values, time_limit, True, 1)
    cold, cold_s = sweep(rung, field, values, time_limit, False, workers)
    points = []
    for w, c in zip(warm, cold, strict=True):
        value = w[field]
        tb = (in_subprocess(__file__, [rung, field, repr(value), str(time_limit)], time_limit)
              if textbook else {"status": "not run"})
        ours = {"status": w["status"], "objective": w.get("cost"), "wall_s": w["time"]}
        points.append({"value": value, "warm": w, "cold": c, "textbook": tb,
                       "agree": compare(f"{field}={value}", ours, tb),
                       "warm_cold_agree": _same_cost(w, c)})
    return {"rung": rung, "field": field, "time_limit": time_limit, "workers": workers,
            "warm_s": warm_s, "cold_s": cold_s, "points": points}


def _same_cost(a: dict, b: dict) -> bool | None:
    """Whether two proven points cost the same within 1e-6 relative (None unless both are optimal)."""
    if a["status"] != "optimal" or b["status"] != "optimal":
        return None
    return abs(a["cost"] - b["cost"]) <= 1e-6 * max(1.0, abs(b["cost"]))


def markdown(result: dict[str, Any], info: dict[str, Any]) -> str:
    def f(v: Any, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)
    field, points = result["field"], result["points"]
    lines = [f"# Premium frontier on ladder rung {result['rung']}", "", machine_line(info), "",
             f"`resilient_sc.frontier` over `{field}` on the base policy, one HiGHS thread per solve, "
             f"time limit {result['time_limit']:g} s per solve, gap 1e-6; each point's design "
             "stress-tested on every single country failure. Warm: the points in order, each started "
             f"from the previous design; cold: independent solves, {result['workers']} at a time. "
             "Seconds per point: build and solve (the cold points ran in parallel). Textbook: the "
             "extensive form of `bench_ladder.py` at the same point, its own subprocess, wall seconds. "
             "Premium: % of the base policy's cost. Local: the plan's share made in the market's own "
             "region over all markets and products (`Plan.overall_share`: never units of different "
             "products added). Worst served: the least share of any market's demand for any product "
             "delivered under the worst single country failure, the design kept and the flows "
             "re-routed.", "",
             f"| {field} | status | cost | premium | local | worst served | suppliers | hubs | warm s "
             "| cold s | textbook | textbook s | agree |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for p in points:
        w, c, tb = p["warm"], p["cold"], p["textbook"]
        agree = AGREE_WORDS[p["agree"]]
        lines.append(f"| {p['value']:g} | {w['status']} | {f(w.get('cost'), ',.2f')} | "
                     f"{f(w.get('premium_pct'), '.2f')}% | {f(w.get('local_share'), '.1%')} | "
                     f"{f(w.get('worst_served'), '.1%')} | "
                     f"{f(w.get('n_suppliers'), 'd')} | {f(w.get('n_hubs'), 'd')} | "
                     f"{w['time']:.1f} | {c['time']:.1f} | {tb.get('status')} | "
                     f"{f(tb.get('wall_s'), '.1f')} | {agree} |")
    tb_s = [p["textbook"].get("wall_s") for p in points]
    lines += ["", f"Whole call: warm **{result['warm_s']:.1f} s**, cold **{result['cold_s']:.1f} s** "
              f"({result['workers']} workers), wall, each with its base solve and stress tests."]
    if all(s is not None for s in tb_s):
        proven = sum(p["textbook"].get("status") == "optimal" for p in points)
        bound = "" if proven == len(points) else "≥ "
        lines.append(f"The textbook at the {len(points)} points, one after the other ({proven} proven "
                     f"in their time limit): {bound}{sum(tb_s):.1f} s of builds and solves alone.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--one"]:
        rung, field, value, tl = argv[1:5]
        print(json.dumps(one(rung, field, float(value), float(tl))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rung", default="M", help="ladder rung (default M, the issue's network)")
    parser.add_argument("--field", default="min_local_share", help="the policy field swept")
    parser.add_argument("--values", type=float, nargs="+", default=list(VALUES))
    parser.add_argument("--workers", type=int, default=2, help="cold points solved at a time")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--ours-only", action="store_true", help="skip the textbook side")
    parser.add_argument("--quick", action="store_true", help="CI smoke run: rung tiny, three points")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    rung, values = ("tiny", [0.0, 0.3, 0.6]) if args.quick else (args.rung, args.values)
    info = machine_info()
    result = run(rung, args.field, values, args.time_limit, args.workers, not args.ours_only)
    text = markdown(result, info)
    save(args.out, "frontier_ladder_quick" if args.quick else f"frontier_ladder_{rung}",
         {"machine": info, **result}, text)
    print(text)
    bad = [p["value"] for p in result["points"] if p["agree"] is False or p["warm_cold_agree"] is False
           or p["textbook"].get("status") == "error"]
    if bad:
        print(f"disagreements or errors at {args.field} = {bad}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
