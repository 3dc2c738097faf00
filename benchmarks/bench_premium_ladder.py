"""Premium table on a ladder rung: the issue-14 workload ("a premium table of seven policies on
such a network takes most of an hour") timed end to end through ``resilient_sc.premium``.

    python benchmarks/bench_premium_ladder.py --rung M            # the issue's network (minutes)
    python benchmarks/bench_premium_ladder.py --quick             # CI smoke run (rung "tiny")

The base and the six other ladder policies (``ladder.POLICIES``) are solved with one HiGHS
thread each, ``--workers`` policies at a time after the base, and each design is stress-tested
on every single country failure and every scenario of the disruptions table. The wall time of
the whole call is set beside the seconds the textbook extensive form took for the same seven
solves one after the other, read from ``results/ladder_<rung>.json`` when present (its unproven
cases at their time limit: a lower bound). Writes ``premium_ladder_<rung>.json`` and ``.md``
with the machine and versions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ladder import POLICIES, ladder_network
from machine import finite, machine_info, machine_line, save

from resilient_sc import SolveOptions, premium

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("policy", "status", "cost", "premium_pct", "network_premium_pct", "worst_served", "n_suppliers",
           "n_hubs", "gap", "solve_time")


def textbook_seconds(rung: str) -> tuple[float, int, int, str] | None:
    """``(seconds, proven, solves, date of that run)`` of the textbook on the ladder policies of ``rung`` from
    ``results/ladder_<rung>.json``: the sum of its wall seconds (a case not proven counts with the
    seconds it ran, so the sum is a lower bound then); None without that file or a textbook run."""
    path = RESULTS / f"ladder_{rung}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [r["textbook"] for r in data["rows"] if r["policy"] in POLICIES and r["textbook"].get("wall_s")]
    if len(rows) < len(POLICIES):
        return None
    return (sum(r["wall_s"] for r in rows), sum(r.get("status") == "optimal" for r in rows), len(rows),
            str(data.get("machine", {}).get("date", "")))


def run(rung: str, workers: int, time_limit: float) -> dict[str, Any]:
    """The premium table of ``rung`` and the wall seconds of the whole call."""
    net = ladder_network(rung)
    others = {name: policy for name, policy in POLICIES.items() if name != "base"}
    options = SolveOptions(threads=1, time_limit=time_limit, allow_nonoptimal=True)
    t = time.perf_counter()
    table = premium(net, others, base=POLICIES["base"], options=options, failures=("country",),
                    workers=workers)
    wall = time.perf_counter() - t
    rows = finite(table[[c for c in COLUMNS if c in table]].to_dict("records"))
    return {"rung": rung, "workers": workers, "time_limit": time_limit, "wall_s": wall, "rows": rows,
            "textbook": textbook_seconds(rung)}


def markdown(result: dict[str, Any], info: dict[str, Any]) -> str:
    def f(v: Any, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)
    lines = [f"# Premium table on ladder rung {result['rung']}", "", machine_line(info), "",
             f"`resilient_sc.premium` on the base and six policies, one HiGHS thread per solve, "
             f"{result['workers']} worker process(es) after the base, time limit "
             f"{result['time_limit']:g} s per solve, gap 1e-6; each design stress-tested on every "
             "single country failure and every scenario of the disruptions table. Premium: % of the "
             "base plan's cost. Worst served: the least share of any market's demand for any product "
             "delivered under the worst of them, with the design kept and the flows re-routed. "
             "Network premium: the same without the shortfall and disruption-scenario cost that a "
             "policy with a shortfall penalty (disruption-aware) counts in its cost and the base "
             "does not.", "",
             "| policy | status | cost | premium | network premium | worst served | suppliers | hubs | gap "
             "| solve s |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['policy']} | {r['status']} | {f(r.get('cost'), ',.2f')} | "
                     f"{f(r.get('premium_pct'), '.2f')}% | {f(r.get('network_premium_pct'), '.2f')}% | "
                     f"{f(r.get('worst_served'), '.1%')} | "
                     f"{f(r.get('n_suppliers'), 'd')} | {f(r.get('n_hubs'), 'd')} | "
                     f"{f(r.get('gap'), '.1e')} | {f(r.get('solve_time'), '.1f')} |")
    lines += ["", f"Whole call (solves and stress tests): **{result['wall_s']:.1f} s** wall."]
    tb = result["textbook"]
    if tb is not None:
        seconds, proven, n, *when = tb
        bound = "" if proven == n else "≥ "
        lines.append(f"The textbook extensive form on the same {n} policies, one after the other "
                     f"(`results/ladder_{result['rung']}.json` as it stood at this run"
                     f"{', dated ' + when[0] if when and when[0] else ''}: not run beside it; {proven} of "
                     f"{n} proven in their time limit): {bound}{seconds:.0f} s of solves alone.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rung", default="M", help="ladder rung (default M, the issue's network)")
    parser.add_argument("--workers", type=int, default=2, help="policies solved at a time")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--quick", action="store_true", help="CI smoke run: rung tiny")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    rung = "tiny" if args.quick else args.rung
    info = machine_info()
    result = run(rung, args.workers, args.time_limit)
    text = markdown(result, info)
    save(args.out, "premium_ladder_quick" if args.quick else f"premium_ladder_{rung}",
         {"machine": info, **result}, text)
    print(text, file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
