"""Stress-test a design: replay the loss of every country, hub and supplier it uses, and the
``disruptions`` scenarios of the data: the fraction of demand still guaranteed to every market
and product, then the cheapest re-routing with shortfall priced per product."""

from __future__ import annotations

from resilient_sc import Policy, examples, solve, stress_test
from resilient_sc.analysis.stress import guarantee_words
from resilient_sc.format import served_fraction  # rounded down: never more than is served


def main() -> None:
    net = examples.electronics()
    for name, policy in (("base", Policy()), ("near_shoring", Policy(min_local_share=0.5))):
        plan = solve(net, policy)
        stress = stress_test(net, plan)
        s = stress.summary()
        print(f"{name}: {s['failures']} failures replayed; under the worst, {s['worst_failure']}, "
              f"{guarantee_words(s['worst_served'])} (binding: {s['worst_product']} in {s['worst_market']}).")
        print(f"Given {s['conditional_on']}, {served_fraction(s['expected_value_served'])} of the "
              "demand's value is served on average.")
        worst = stress.worst_table(4)
        served = ["worst_served", *[c for c in worst if c.startswith("served ")], "value_served"]
        print(worst[["failure", *served, "extra_cost", "shortfall_cost"]].to_string(
            index=False, formatters={**dict.fromkeys(served, served_fraction),
                                     "extra_cost": "{:+,.0f}".format, "shortfall_cost": "{:,.0f}".format}))
        print()


if __name__ == "__main__":
    main()
