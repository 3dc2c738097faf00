"""Draw the figures of the docs (docs/img/*.png) from the bundled electronics example.

Run ``python docs/make_figures.py`` after a change to the model or the example data; it also
prints the numbers quoted on the Concepts and Analysis pages. Needs matplotlib.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from resilient_sc import Network, Plan, Policy, examples, frontier, premium, solve, stress_test
from resilient_sc.policy import load_mapping

IMG = Path(__file__).resolve().parent / "img"
COLORS = {"base": "#7f7f7f", "near_shoring": "#1f77b4", "friend_shoring": "#2ca02c",
          "redundant": "#d62728"}


def save(fig: Figure, name: str, top: float = 1.0) -> None:
    IMG.mkdir(exist_ok=True)
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.savefig(IMG / name, dpi=90)
    plt.close(fig)
    print(f"wrote docs/img/{name} ({(IMG / name).stat().st_size // 1024} KiB)")


def premium_figure(table: pd.DataFrame) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.bar(table["policy"], table["premium_pct"], color=[COLORS[p] for p in table["policy"]])
    for i, row in table.iterrows():
        ax.annotate(f"+{row['premium_pct']:.1f}%\nworst failure: {row['worst_served']:.0%} served",
                    (i, row["premium_pct"]), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_ylabel("premium over base (%)")
    ax.set_ylim(0, table["premium_pct"].max() * 1.45)
    ax.set_title("Resilience premium of four policies (electronics example)", fontsize=10)
    save(fig, "premium.png")


def n1_figure(net: Network, plans: dict[str, Plan]) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    width = 0.4
    served = {}
    for name, plan in plans.items():
        f = stress_test(net, plan, ("country",), scenarios=False).failures
        served[name] = f.set_index("elements")["served_fraction"]
    countries = sorted(set().union(*[s.index for s in served.values()]))
    for k, (name, s) in enumerate(served.items()):
        xs = [i + (k - 0.5) * width for i in range(len(countries))]
        ax.bar(xs, [s.get(c, 1.0) for c in countries], width, label=f"{name} design",
               color=COLORS[name])
    ax.axhline(0.8, color="black", lw=0.8, ls="--", label="service level 80%")
    ax.set_xticks(range(len(countries)), countries)
    ax.set_ylim(0, 1.3)
    ax.set_ylabel("demand served")
    ax.set_title("N-1: demand served after losing one whole country", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    save(fig, "n1.png")
    for name, s in served.items():
        print(f"{name}: worst country failure {s.idxmin()} serves {s.min():.1%}")


def shares_figure(net: Network, plans: dict[str, Plan]) -> None:
    region = net.markets.merge(net.countries, on="country").set_index("market")["region"]
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.2), sharey=True)
    for ax, col, title in zip(axes, ("local_share", "allied_share"), ("local share", "allied share"),
                              strict=True):
        names = list(plans)
        for k, name in enumerate(names):
            s = plans[name].shares.assign(region=lambda d: d["market"].map(region))
            by = (s[col] * s["demand"]).groupby(s["region"]).sum() / s.groupby("region")["demand"].sum()
            xs = [i + (k - 1) * 0.27 for i in range(len(by))]
            ax.bar(xs, by.to_numpy(), 0.27, label=name, color=COLORS[name])
        ax.set_xticks(range(len(by)), [r.replace(" America", "\nAmerica") for r in by.index], fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1.05)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    axes[0].set_ylabel("share of demand")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=8, frameon=False)
    save(fig, "shares.png", top=0.92)


def origin_figure() -> None:
    fig, ax = plt.subplots(figsize=(6.4, 2.4))
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    boxes = {"supplier in CN\n(made in CN)": (1.2, 3.0), "supplier in MX\n(made in MX)": (1.2, 1.0),
             "hub in MX": (5.0, 2.0), "market in US": (8.8, 2.0)}
    for label, (x, y) in boxes.items():
        ax.text(x, y, label, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "fc": "#eef3fb", "ec": "#1f77b4"})
    arrow = {"arrowstyle": "->", "color": "#444444"}
    ax.annotate("", (4.3, 2.2), (2.3, 2.9), arrowprops=arrow)
    ax.annotate("", (4.3, 1.8), (2.3, 1.1), arrowprops=arrow)
    ax.annotate("", (7.9, 2.0), (5.7, 2.0), arrowprops=arrow)
    ax.text(6.8, 2.8, "origin CN: CN→US tariff\norigin MX: MX→US tariff", ha="center", fontsize=8)
    ax.text(6.8, 0.6, "the hub's country does not change the origin", ha="center", fontsize=8,
            style="italic")
    save(fig, "origin.png")


def frontier_figure(df: pd.DataFrame) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ok = df.loc[df["status"] == "optimal"]
    ax.plot(ok["min_local_share"], ok["premium_pct"], "o-", color=COLORS["near_shoring"])
    for _, r in ok.iterrows():
        ax.annotate(f"{r['premium_pct']:.1f}%", (r["min_local_share"], r["premium_pct"]), fontsize=8,
                    xytext=(-8, 6), textcoords="offset points")
    ax.set_xlabel("min_local_share")
    ax.set_ylabel("premium over base (%)")
    ax.set_title("Near-shoring frontier (electronics example)", fontsize=10)
    save(fig, "frontier.png")


def main() -> None:
    net = examples.electronics()
    fields = load_mapping(examples.electronics_path() / "policies.yaml", "policies")
    policies = {k: Policy.from_dict(v) for k, v in fields.items() if k != "base"}
    table = premium(net, policies, workers=1)
    print(table[["policy", "cost", "premium_pct", "worst_served", "expected_served",
                 "worst_failure", "local_share", "allied_share", "n_suppliers", "n_hubs"]].to_string())
    premium_figure(table)
    plans = {"base": solve(net), "redundant": solve(net, policies["redundant"])}
    n1_figure(net, plans)
    shares = {"base": plans["base"], **{k: solve(net, policies[k]) for k in ("near_shoring",
                                                                             "friend_shoring")}}
    shares_figure(net, shares)
    origin_figure()
    sweep = frontier(net, "min_local_share", [0.0, 0.25, 0.5, 0.75, 0.9])
    print(sweep[["min_local_share", "status", "cost", "premium_pct", "worst_served", "worst_failure",
                 "n_suppliers", "n_hubs", "reason"]].to_string())
    frontier_figure(sweep)


if __name__ == "__main__":
    main()
