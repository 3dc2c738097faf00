"""Redundancy families: N-1 survival (MODEL.md §5, §8.5) and disruption recourse (§5b).

Both add, for each failure f, recourse flows through the contracted suppliers and opened
hubs that survive f, built for all failures at once (vectorised over failure × arc).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import FAILURE_KINDS
from .context import Context, local
from .sets import Sets, total_demand


def single_failures(s: Sets, kinds: tuple[str, ...]) -> pd.DataFrame:
    """One failure per element of the given kinds that can carry flow (failure, kind, element).

    A country failure loses every supplier and hub of the country (§8.5).
    """
    parts = []
    carrying_s = s.suppliers.loc[s.suppliers["supplier"].isin(s.inbound["supplier"])]
    carrying_h = s.hubs.loc[s.hubs["hub"].isin(s.inbound["hub"])]
    for kind in FAILURE_KINDS:
        if kind not in kinds:
            continue
        if kind == "supplier":
            elements = carrying_s["supplier"]
        elif kind == "hub":
            elements = carrying_h["hub"]
        else:
            elements = pd.Series(sorted(set(carrying_s["country"]) | set(carrying_h["country"])))
        parts.append(pd.DataFrame({"failure": kind + ":" + elements.astype(str),
                                   "kind": kind, "element": elements.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["failure", "kind", "element"])
    return pd.concat(parts, ignore_index=True)


def _lost(failures: pd.DataFrame, arcs: pd.DataFrame, columns: dict[str, list[str]]) -> pd.DataFrame:
    """(failure, arc) pairs where the failure removes an element of the arc.

    ``columns`` maps a failure kind to the arc columns holding elements of that kind.
    """
    arcs = arcs.assign(_arc=np.arange(len(arcs)))
    hits = []
    for kind, cols in columns.items():
        fk = failures.loc[failures["kind"] == kind, ["failure", "element"]]
        for col in cols:
            hits.append(fk.merge(arcs[[col, "_arc"]], left_on="element", right_on=col)[
                ["failure", "_arc"]])
    if not hits:
        return pd.DataFrame({"failure": [], "_arc": []})
    return pd.concat(hits, ignore_index=True).drop_duplicates()


def surviving(failures: pd.DataFrame, arcs: pd.DataFrame,
               columns: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(failure position, arc position) of every arc that survives each failure."""
    names = failures["failure"].drop_duplicates().reset_index(drop=True)
    nf, na = len(names), len(arcs)
    lost = _lost(failures, arcs, columns)
    code_lost = pd.Index(names).get_indexer(lost["failure"]) * na + lost["_arc"].to_numpy(np.int64)
    keep = np.ones(nf * na, dtype=bool)
    keep[code_lost] = False
    codes = np.flatnonzero(keep)
    return codes // na, codes % na


def add_recourse(ctx: Context, failures: pd.DataFrame, prefix: str, demand_lower: np.ndarray,
                 shortfall: bool, weight: np.ndarray | None = None) -> dict[str, object]:
    """Recourse blocks for every failure (several rows per failure name fail together).

    Adds ``{prefix}_inbound[f,s,h,p]``, ``{prefix}_outbound[f,h,m,p]`` (no origin
    tracking), ``{prefix}_demand[f,m,p]``: Σ_h y^f (+ u^f) ≥ lower (or = demand with
    shortfall), ``{prefix}_balance[f,h,p]``: Σ_s x^f − Σ_m y^f = 0,
    ``{prefix}_supplier_capacity[f,s,p]``: Σ_h x^f ≤ cap[s,p]·z[s] and
    ``{prefix}_hub_capacity[f,h]``: Σ x^f ≤ cap[h]·o[h]. ``demand_lower`` is per
    (failure, demand row), flattened failure-major. With ``weight`` (per failure), the
    recourse flows cost their base unit costs times the weight, in cost component
    ``disruption`` (MODEL.md §5b; tariffs are ignored in recourse).
    """
    s, v, lm = ctx.sets, ctx.v, ctx.lm
    names = failures["failure"].drop_duplicates().reset_index(drop=True)
    nf = len(names)
    hub_country = s.hubs.set_index("hub")["country"]
    inb = s.inbound[["supplier", "hub", "product", "country"]].assign(
        hub_country=s.inbound["hub"].map(hub_country))
    out = s.outbound[["hub", "market", "product"]].assign(
        hub_country=s.outbound["hub"].map(hub_country))
    fi, ai = surviving(failures, inb, {"supplier": ["supplier"], "hub": ["hub"],
                                        "country": ["country", "hub_country"]})
    fo, ao = surviving(failures, out, {"hub": ["hub"], "country": ["hub_country"]})
    xf_index = inb.iloc[ai][["supplier", "hub", "product"]].reset_index(drop=True)
    xf_index.insert(0, "failure", names.to_numpy()[fi])
    yf_index = out.iloc[ao][["hub", "market", "product"]].reset_index(drop=True)
    yf_index.insert(0, "failure", names.to_numpy()[fo])
    xf = lm.add_variables(f"{prefix}_inbound", xf_index)
    yf = lm.add_variables(f"{prefix}_outbound", yf_index)

    nd = len(s.demand_table)
    dem_index = pd.DataFrame({"failure": np.repeat(names.to_numpy(), nd),
                              "market": np.tile(s.demand_table["market"], nf),
                              "product": np.tile(s.demand_table["product"], nf)})
    d_rows = fo * nd + ctx.rows_of(yf_index, s.demand, ["market", "product"])
    terms = [(d_rows, yf, local(len(yf_index)), 1.0)]
    blocks: dict[str, object] = {"inbound": xf, "outbound": yf}
    if shortfall:
        u = lm.add_variables(f"{prefix}_shortfall", dem_index,
                             upper=np.tile(s.demand_table["demand"], nf))
        terms.append((local(nf * nd), u, local(nf * nd), 1.0))
        dd = np.tile(s.demand_table["demand"], nf)
        lm.add_constraints(f"{prefix}_demand", dem_index, terms, dd, dd)
        blocks["shortfall"] = u
    else:
        lm.add_constraints(f"{prefix}_demand", dem_index, terms, lower=demand_lower)

    hp = pd.concat([xf_index[["failure", "hub", "product"]], yf_index[["failure", "hub", "product"]]])
    hp = hp.drop_duplicates().reset_index(drop=True)
    lm.add_constraints(f"{prefix}_balance", hp, [
        (ctx.rows_of(xf_index, hp, ["failure", "hub", "product"]), xf, local(len(xf_index)), 1.0),
        (ctx.rows_of(yf_index, hp, ["failure", "hub", "product"]), yf, local(len(yf_index)), -1.0),
    ], 0.0, 0.0)

    sp = xf_index[["failure", "supplier", "product"]].drop_duplicates().reset_index(drop=True)
    cap = sp.merge(s.supply[["supplier", "product", "capacity"]], on=["supplier", "product"],
                   how="left")["capacity"].to_numpy(float)
    total = total_demand(s, sp["product"])
    lm.add_constraints(f"{prefix}_supplier_capacity", sp, [
        (ctx.rows_of(xf_index, sp, ["failure", "supplier", "product"]), xf, local(len(xf_index)), 1.0),
        (local(len(sp)), v["z"], ctx.rows_of(sp, s.suppliers, ["supplier"]), -np.minimum(cap, total)),
    ], upper=0.0)

    fh = xf_index[["failure", "hub"]].drop_duplicates().reset_index(drop=True)
    hub_cap = fh["hub"].map(s.hubs.set_index("hub")["capacity"]).to_numpy(float)
    hub_cap = np.minimum(hub_cap, float(s.demand["demand"].sum()))
    lm.add_constraints(f"{prefix}_hub_capacity", fh, [
        (ctx.rows_of(xf_index, fh, ["failure", "hub"]), xf, local(len(xf_index)), 1.0),
        (local(len(fh)), v["o"], ctx.rows_of(fh, s.hubs, ["hub"]), -hub_cap),
    ], upper=0.0)
    if weight is not None:
        c = lm.objective()
        x_cost = ctx.v["x"].values(c)[ai] * weight[fi]
        y_cost = ctx.v["y"].values(c)
        out_cost = s.flows.assign(c=y_cost - s.flows_table["tariff"]).groupby(
            ["hub", "market", "product"])["c"].first()
        y_unit = out_cost.reindex(pd.MultiIndex.from_frame(yf_index[["hub", "market", "product"]]))
        lm.add_cost("disruption", xf, x_cost)
        lm.add_cost("disruption", yf, y_unit.to_numpy(float) * weight[fo])
        if shortfall:
            pi = float(ctx.policy.shortfall_penalty or 0.0)
            lm.add_cost("disruption", blocks["shortfall"], np.repeat(weight, nd) * pi)  # type: ignore[arg-type]
    return blocks


def add_disruptions(ctx: Context) -> None:
    """Disruption-aware design (MODEL.md §5b): for each scenario f of the ``disruptions``
    table, recourse flows and shortfall u^f with Σ_h y^f + u^f = demand, adding
    w · Σ_f prob_f · (recourse flow cost_f + π Σ u^f) to the objective.

    Active when the network has scenarios, the policy sets ``shortfall_penalty`` π and
    ``disruption_weight`` w > 0.
    """
    p, disruptions = ctx.policy, ctx.sets.disruptions
    if disruptions.empty or p.shortfall_penalty is None or not p.disruption_weight:
        return
    failures = pd.DataFrame({"failure": "scenario:" + disruptions["scenario"],
                             "kind": disruptions["kind"], "element": disruptions["element"]})
    prob = disruptions.groupby("scenario", sort=False)["probability"].first()
    names = failures["failure"].drop_duplicates()
    weight = p.disruption_weight * prob.reindex(names.str.removeprefix("scenario:")).to_numpy(float)
    add_recourse(ctx, failures, "disruption", np.zeros(0), shortfall=True, weight=weight)


def add_survive(ctx: Context) -> None:
    """N-1 survival: for every single failure f of the kinds in ``survive``, recourse flows
    through the surviving contracted suppliers and opened hubs deliver
    Σ_h y^f[h,m,p] ≥ β[m,p] · demand[m,p] (β = ``service_level``, default 1)."""
    if not ctx.policy.survive:
        return
    s = ctx.sets
    failures = single_failures(s, ctx.policy.survive)
    if failures.empty:
        return
    beta = ctx.policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                         strictest="max", default=1.0)
    lower = np.tile(beta * s.demand_table["demand"], len(failures))
    add_recourse(ctx, failures, "survive", lower, shortfall=False)
