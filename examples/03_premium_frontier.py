"""What resilience costs and buys: a premium table and a near-shoring frontier.

The premium table solves the base and each policy and stress-tests every design against the
loss of each country; the frontier sweeps ``min_local_share``, each point warm-started from
the previous design.
"""

from __future__ import annotations

from resilient_sc import Policy, examples, frontier, premium


def main() -> None:
    net = examples.electronics()
    policies = {"near_shoring": Policy(min_local_share=0.5),
                "friend_shoring": Policy(min_allied_share=0.7, max_country_share=0.4)}
    table = premium(net, policies, failures=("country",), workers=1)
    print("premium table (worst_served: demand served after the worst country failure)")
    print(table[["policy", "cost", "premium_pct", "worst_served", "worst_failure", "local_share",
                 "allied_share"]].to_string(index=False, formatters={
        "cost": "{:,.0f}".format, "premium_pct": "{:.1f}%".format, "worst_served": "{:.0%}".format,
        "local_share": "{:.0%}".format, "allied_share": "{:.0%}".format}))
    sweep = frontier(net, "min_local_share", [0.25, 0.5, 0.75], failures=("country",))
    print("\nfrontier of min_local_share")
    print(sweep[["min_local_share", "cost", "premium_pct", "worst_served", "n_suppliers"]].to_string(
        index=False, formatters={"cost": "{:,.0f}".format, "premium_pct": "{:.1f}%".format,
                                 "worst_served": "{:.0%}".format}))


if __name__ == "__main__":
    main()
