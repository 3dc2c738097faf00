"""The first solve: the bundled electronics network, cost-optimal and with a near-shoring policy.

Run ``python examples/01_first_solve.py [OUT.xlsx]``; the plan workbook goes to OUT.xlsx
(default: a temporary folder).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from resilient_sc import Policy, examples, solve
from resilient_sc.workbook import write_workbook


def main(out: Path) -> None:
    net = examples.electronics()
    print(net)
    base = solve(net)  # no policy: the cost-optimal base
    plan = solve(net, Policy(min_local_share=0.5, min_suppliers=2))
    print(plan.summary())
    premium = (plan.objective - base.objective) / base.objective
    print(f"\nbase cost {base.objective:,.0f}; near-shoring costs {premium:.1%} more")
    worst = plan.shares.sort_values("local_share").head(3)
    print("\nlowest local shares (each must be >= 50%):")
    print(worst[["market", "product", "local_share", "top_foreign_country"]].to_string(index=False))
    print(f"\nplan workbook: {write_workbook(out, plan)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "plan.xlsx")
