"""Stress-test a design: replay the loss of every country, hub and supplier it uses, and the
``disruptions`` scenarios of the data, with re-routed flows and penalised shortfall."""

from __future__ import annotations

from resilient_sc import Policy, examples, solve, stress_test


def main() -> None:
    net = examples.electronics()
    for name, policy in (("base", Policy()), ("near_shoring", Policy(min_local_share=0.5))):
        plan = solve(net, policy)
        stress = stress_test(net, plan)
        s = stress.summary()
        print(f"{name}: {s['failures']} failures replayed (penalty {stress.penalty:,.0f} per unit "
              f"short); worst {s['worst_failure']} serves {s['worst_served_fraction']:.1%} of demand; "
              f"{s['expected_served_fraction']:.1%} served on average")
        worst = stress.failures.sort_values("served_fraction").head(4)
        print(worst[["failure", "served_fraction", "shortfall", "worst_market",
                     "worst_market_served"]].to_string(index=False, formatters={
            "served_fraction": "{:.1%}".format, "worst_market_served": "{:.1%}".format,
            "shortfall": "{:,.0f}".format}))
        print()


if __name__ == "__main__":
    main()
