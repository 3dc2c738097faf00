"""An independent post-check of a plan: every constraint on its own flows and the cost recomputed
from them and the network's tables in plain pandas, without the model's index sets. (The N-1
guarantee of ``survive`` and the disruption-scenario recourse need re-routed flows: they are
replayed by :func:`~resilient_sc.analysis.stress.stress_test`, not here.)"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .data import Network
from .exceptions import ValidationError
from .policy import Policy
from .results import EXTENSION, Plan
from .schema import ALL_PRODUCTS
from .wording import brief


def _lookup(flows: pd.DataFrame, table: pd.DataFrame, left: list[str], right: list[str],
            value: str) -> pd.Series:
    """Value of the product-specific row of ``table`` for each flow, else of its ``all`` row."""
    spec = flows.merge(table.loc[table["product"] != ALL_PRODUCTS, [*right, "product", value]],
                       left_on=[*left, "product"], right_on=[*right, "product"], how="left")[value]
    gen = flows.merge(table.loc[table["product"] == ALL_PRODUCTS, [*right, value]],
                      left_on=left, right_on=right, how="left")[value]
    return spec.fillna(gen).set_axis(flows.index)


def recompute_cost(net: Network, plan: Plan, co2_price: float = 0.0,
                   shortfall_penalty: float | Mapping[str, float] | None = None,
                   before: set[str] | None = None) -> tuple[float, float, list[str]]:
    """(cost, emissions, problems) recomputed from the plan's flows and the network tables;
    with the opening costs of the suppliers and hubs chosen that were not operating ``before``
    and the closing costs of those operating before and not chosen (``before``: the ids in
    operation before the plan's period; None: status open or existing, docs/formulation.md §9)."""
    problems: list[str] = []
    x, y = plan.inbound, plan.outbound
    lanes = net.lanes
    x_lane = _lookup(x, lanes, ["supplier", "hub"], ["origin", "destination"], "unit_cost")
    x_co2 = _lookup(x, lanes, ["supplier", "hub"], ["origin", "destination"], "co2")
    y_lane = _lookup(y, lanes, ["hub", "market"], ["origin", "destination"], "unit_cost")
    y_co2 = _lookup(y, lanes, ["hub", "market"], ["origin", "destination"], "co2")
    for df, lane, what in ((x, x_lane, "supplier -> hub"), (y, y_lane, "hub -> market")):
        for i in np.flatnonzero(lane.isna().to_numpy()):
            problems.append(f"flow on a {what} lane that does not exist: {df.iloc[i].to_dict()}")
    sp = x.merge(net.supplier_products, on=["supplier", "product"], how="left")
    hubs = net.hubs.set_index("hub")
    mcountry = net.markets.set_index("market")["country"]
    value = net.products.set_index("product")["unit_value"]
    rate = _lookup(y.assign(dest=y["market"].map(mcountry)), net.tariffs,
                   ["origin", "dest"], ["origin_country", "destination_country"], "rate").fillna(0.0)
    q, qy = x["quantity"].to_numpy(), y["quantity"].to_numpy()
    emissions = float(((sp["co2"].to_numpy() + x_co2.fillna(0).to_numpy()) * q).sum()
                      + (y_co2.fillna(0).to_numpy() * qy).sum())
    cost = (net.suppliers.set_index("supplier")["fixed_cost"].reindex(plan.supplier_ids).sum()
            + hubs["fixed_cost"].reindex(plan.hub_ids).sum()
            + float(((sp["unit_cost"].to_numpy() + x_lane.fillna(0).to_numpy()
                      + x["hub"].map(hubs["handling_cost"]).to_numpy()) * q).sum())
            + float(((y_lane.fillna(0).to_numpy()
                      + rate.to_numpy() * y["product"].map(value).to_numpy()) * qy).sum())
            + co2_price * emissions
            + _transitions(net, plan, before))
    if shortfall_penalty is not None:  # one price, or one per product
        price = (plan.shares["product"].map(shortfall_penalty).to_numpy(float)
                 if isinstance(shortfall_penalty, Mapping) else shortfall_penalty)
        cost += float((price * plan.shares["shortfall"].to_numpy(float)).sum())
    # the expected recourse cost of disruption-aware design needs the scenario LPs: taken as is
    cost += float(plan.breakdown.get("disruption", 0.0))
    return float(cost), emissions, problems


def _transitions(net: Network, plan: Plan, before: set[str] | None) -> float:
    """Opening costs of the elements started and closing costs of those stopped."""
    cost = 0.0
    for table, col, chosen in (("suppliers", "supplier", plan.supplier_ids), ("hubs", "hub", plan.hub_ids)):
        df = getattr(net, table)
        was = (df["status"].isin(("open", "existing")) if before is None else df[col].isin(before)).to_numpy()
        now = df[col].isin(chosen).to_numpy()
        cost += float(df["opening_cost"].to_numpy()[now & ~was].sum()
                      + df["closing_cost"].to_numpy()[was & ~now].sum())
    return cost


def checked_policy(policy: Any, net: Network) -> Policy:
    """``policy`` once it is a :class:`Policy` whose names are all in ``net`` (a key the data has
    not, 'Europa' or a period 'T2', held nowhere: an empty list of violations read as a pass)."""
    if not isinstance(policy, Policy):
        raise ValidationError([f"(policy) | {brief(policy)} is a {type(policy).__name__}, not a Policy"])
    policy.check_network(net)
    return policy


def verify_plan(plan: Plan, policy: Policy | None = None, tol: float = 1e-6, before: set[str] | None = None,
                position: int = 0) -> list[str]:
    """Violations of the base constraints and of ``policy`` (None: the policy the plan was
    solved under) by ``plan`` (empty when none). ``survive`` and the disruption scenarios need
    re-routed flows: :func:`~resilient_sc.analysis.stress.stress_test` replays them, not this.

    ``tol`` is relative to demand (units of each product: of its largest demand, at least 1 unit;
    a hub's capacity, of all products, to the largest demand of any) and to cost (money); a
    share to 1. For a period of a roadmap,
    ``before`` holds the suppliers and hubs operating in the period before (None: those of
    status open or existing) and ``position`` the period's position (for lead times).
    """
    if getattr(plan, "model", None) is None:
        raise ValidationError([f"(plan) | {brief(plan)} is no plan from solve() (with the model it was "
                               "solved on): verify_plan checks one against its network"])
    net = plan.model.network
    policy = checked_policy(plan.policy if policy is None else policy, net)
    x, y = plan.inbound, plan.outbound
    d = net.demand.set_index(["market", "product"])["demand"]
    scale = max(1.0, float(d.max()) if len(d) else 1.0)
    eps = tol * scale  # units of all products at once (a hub's throughput)
    # units of one product: a violation of 0.6 units of a product whose demands are 1e-3 is not
    # hidden by another product's demands of 1e6 (eps: 1.4 units then)
    product_eps = tol * d.groupby(level="product").max().clip(lower=1.0)
    eps_of = lambda products: product_eps.reindex(products).fillna(tol).to_numpy(float)  # noqa: E731
    out: list[str] = []

    cost, emissions, lane_problems = recompute_cost(net, plan, policy.co2_price,
                                                    policy.shortfall_penalty, before)
    out += lane_problems
    added = float(plan.breakdown.get(EXTENSION, 0.0))  # a term of a pyomo model's own: not the tables'
    if abs(cost + added - plan.objective) > tol * max(1.0, abs(cost)) * 10:
        out.append(f"cost: recomputed {cost:,.6f} differs from the plan's {plan.objective:,.6f}"
                   + (f" less its {EXTENSION} line {added:,.6f}" if added else ""))

    delivered = y.groupby(["market", "product"])["quantity"].sum().reindex(d.index, fill_value=0.0)
    short = d - delivered
    # each market-product at most 1e-4 of its own demand short: 5 units dropped of a demand of 5 beside
    # one of 5e7 (eps = 50 units) were not a violation
    row_eps = np.minimum(eps, max(tol, 1e-4) * np.maximum(1.0, d))
    bad = short.abs() > row_eps if policy.shortfall_penalty is None else (short < -row_eps)
    out += [f"demand[{m},{p}]: delivered {delivered[(m, p)]:g} of {d[(m, p)]:g}"
            for m, p in d.index[bad.to_numpy()]]

    scountry = net.suppliers.set_index("supplier")["country"]
    inflow = x.assign(origin=x["supplier"].map(scountry)).groupby(["hub", "product", "origin"])[
        "quantity"].sum()
    outflow = y.groupby(["hub", "product", "origin"])["quantity"].sum()
    diff = inflow.sub(outflow, fill_value=0.0)
    bad = diff.abs().to_numpy() > eps_of(diff.index.get_level_values("product"))
    out += [f"origin_balance[{k}]: in - out = {v:g}" for k, v in diff[bad].items()]

    cap = net.supplier_products.set_index(["supplier", "product"])["capacity"]
    bought = x.groupby(["supplier", "product"])["quantity"].sum()
    over = bought - cap.reindex(bought.index).fillna(0.0)
    bad = over.to_numpy() > eps_of(over.index.get_level_values("product"))
    out += [f"supplier_capacity[{k}]: exceeded by {v:g}" for k, v in over[bad].items()]
    unused = set(x["supplier"]) - set(plan.supplier_ids)
    out += [f"supplier_contracted[{s}]: flows from a supplier not contracted" for s in sorted(unused)]
    hcap = net.hubs.set_index("hub")["capacity"]
    through = x.groupby("hub")["quantity"].sum()
    over = through - hcap.reindex(through.index)
    out += [f"hub_capacity[{h}]: exceeded by {v:g}" for h, v in over[over > eps].items()]
    out += [f"hub_opened[{h}]: flows through a hub not opened"
            for h in sorted((set(x["hub"]) | set(y["hub"])) - set(plan.hub_ids))]
    out += _status(net, plan, policy, position)
    out += _policy(net, plan, policy, d, eps_of, tol, emissions)
    return out


def _status(net: Network, plan: Plan, policy: Policy, position: int = 0) -> list[str]:
    out = []
    excluded = set(policy.excluded_countries)
    for table, col, chosen in (("suppliers", "supplier", plan.supplier_ids), ("hubs", "hub", plan.hub_ids)):
        df = getattr(net, table)
        for _, r in df.iterrows():
            used = r[col] in chosen
            if r["status"] == "open" and not used:
                out.append(f"status: {col} '{r[col]}' has status open but is not used")
            if used and (r["status"] == "closed" or r["country"] in excluded):
                out.append(f"status: {col} '{r[col]}' is closed or excluded but used")
            if used and r["status"] == "candidate" and r["lead_time"] > position:
                out.append(f"lead_time: {col} '{r[col]}' is used in the period at position "
                           f"{position}, before its lead_time {r['lead_time']:g}")
    return out


def _policy(net: Network, plan: Plan, p: Policy, d: pd.Series, eps_of: Callable[[Any], np.ndarray],
            tol: float, emissions: float) -> list[str]:
    """Violations of the policy's share, count and CO2 rows; ``eps_of(products)``: the units of
    each product within which a row holds, ``tol`` a share's tolerance (of 1)."""
    out: list[str] = []
    shares = plan.shares.merge(net.markets[["market", "country"]], on="market").merge(
        net.countries[["country", "region"]], on="country")
    region, product = shares["region"], shares["product"]
    for field, col in (("min_local_share", "local_share"), ("min_allied_share", "allied_share")):
        if getattr(p, field) is None:
            continue
        need = p.per_market_product(field, region, product)
        gap = (need - shares[col]) * shares["demand"]
        for i in np.flatnonzero(gap.to_numpy() > eps_of(product)):
            out.append(f"{field}[{shares['market'].iloc[i]},{product.iloc[i]}]: "
                       f"{shares[col].iloc[i]:.4f} < {need[i]:.4f}")
    if p.max_country_share is not None:
        kappa = pd.Series(p.per_market_product("max_country_share", region, product))
        cs = plan.country_shares.merge(
            shares[["market", "product", "country"]].assign(kappa=kappa),
            on=["market", "product"], suffixes=("", "_m"))
        bad = cs.loc[(cs["country"] != cs["country_m"]) & (cs["share"] - cs["kappa"] > tol)]
        out += [f"max_country_share[{r.market},{r.product},{r.country}]: {r.share:.4f} > {r.kappa:.4f}"
                for r in bad.itertuples()]
    if p.max_region_share is not None:
        rho = pd.Series(p.per_market_product("max_region_share", region, product))
        by_region = plan.country_shares.merge(net.countries[["country", "region"]], on="country").groupby(
            ["market", "product", "region"], as_index=False)["share"].sum()
        rs = by_region.merge(shares[["market", "product", "region"]].assign(rho=rho),
                             on=["market", "product"], suffixes=("", "_m"))
        bad = rs.loc[(rs["region"] != rs["region_m"]) & (rs["share"] - rs["rho"] > tol)]
        out += [f"max_region_share[{r.market},{r.product},{r.region}]: {r.share:.4f} > {r.rho:.4f}"
                for r in bad.itertuples()]
    total = d.groupby(level="product").sum()
    if p.max_supplier_share is not None:
        ss = plan.supplier_shares
        sigma = p.per_product("max_supplier_share", ss["product"])
        over = ss["quantity"].to_numpy() - sigma * ss["product"].map(total).to_numpy()
        out += [f"max_supplier_share[{ss['supplier'].iloc[i]},{ss['product'].iloc[i]}] exceeded"
                for i in np.flatnonzero(over > eps_of(ss["product"]))]
    if p.min_suppliers is not None:
        products = pd.Series(sorted(total.index))
        k = p.per_product("min_suppliers", products)
        makes = net.supplier_products.loc[net.supplier_products["capacity"] > 0]
        for prod, kp in zip(products, k, strict=True):
            n = int(makes.loc[(makes["product"] == prod) & makes["supplier"].isin(plan.supplier_ids)]
                    ["supplier"].nunique())
            if not np.isnan(kp) and n < kp:
                out.append(f"min_suppliers[{prod}]: {n} contracted < {kp:g}")
    if p.co2_cap is not None and emissions > p.co2_cap * (1 + 1e-9) + 1e-6:
        out.append(f"co2_cap: emissions {emissions:g} > {p.co2_cap:g}")
    if p.single_sourcing:
        n_hubs = plan.outbound.groupby("market")["hub"].nunique()
        out += [f"single_source[{m}]: served by {n} hubs" for m, n in n_hubs.items() if n > 1]
    n = len(plan.hub_ids)
    if (p.min_hubs is not None and n < p.min_hubs) or (p.max_hubs is not None and n > p.max_hubs):
        out.append(f"hub_count: {n} hubs opened, outside [{p.min_hubs}, {p.max_hubs}]")
    return out
