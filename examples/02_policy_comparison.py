"""Compare the policies of ``examples/electronics/policies.yaml``: cost, premium and sourcing mix.

The ``redundant`` policy (N-1 survival of any country) is left out to keep this under a few
seconds; ``04_stress_test.py`` and ``03_premium_frontier.py`` look at resilience itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from resilient_sc import examples, solve
from resilient_sc.policies import load_policies


def main() -> None:
    net = examples.electronics()
    # beside this script (examples.electronics_path() is a source checkout's, absent once installed)
    policies = load_policies(Path(__file__).resolve().parent / "electronics" / "policies.yaml")
    rows = []
    for name, policy in policies.items():
        if name == "redundant":
            continue
        plan = solve(net, policy)
        rows.append({"policy": name, "cost": plan.objective, "suppliers": len(plan.suppliers),
                     "hubs": len(plan.hubs), "local": plan.overall_share("local_share"),
                     "allied": plan.overall_share("allied_share"),
                     "top foreign": plan.shares["top_foreign_share"].max()})
    table = pd.DataFrame(rows)
    base = table.loc[table["policy"] == "base", "cost"].iloc[0]
    table.insert(2, "premium", (table["cost"] - base) / base)  # a fraction of the base cost, >= 0
    print(table.to_string(index=False, formatters={
        "cost": "{:,.0f}".format, "premium": "{:.1%}".format, "local": "{:.0%}".format,
        "allied": "{:.0%}".format, "top foreign": "{:.0%}".format}))


if __name__ == "__main__":
    main()
