"""Shares and caps in conflict: market by market in closed form, else across markets by LP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..format import and_first, count, percent
from ..model.precheck import MAX_REASONS, falls_short, least_cap, limit_reasons, number
from ..model.sets import MIN_SHARES, is_allied, is_local
from ..model.transport import reach
from .lp import easing, family_labels, family_rows, solve_lp, unrelated_rows
from .words import (
    TOL,
    and_list,
    cannot_text,
    capacity_units,
    field_names,
    field_of,
    field_text,
    market_product,
    policy_fields,
    quantity_of,
)

if TYPE_CHECKING:
    from ..model.build import NetworkModel
    from ..model.sets import Sets
    from ..policy import Policy

# ---- shares and caps, market by market (closed form) ---------------------------------------
def _country_limits(s: Sets, policy: Policy, by_hub: bool = False) -> pd.DataFrame:
    """Per (market, product, origin country that reaches it): what that country's suppliers
    can deliver to the market on their own. ``avail``: their capacity, each supplier capped at
    the product's total demand and at max_supplier_share; ``cap``: the max_country_share cap
    (inf for the market's own country or without the field); ``limit``: the smaller. Also the
    market's demand, country, region, bloc, kappa and the flags local and allied. ``by_hub``:
    per hub too, each through that hub alone (:func:`.transport.reach`)."""
    r = reach(s, by_hub)
    total = pd.Series(s.products_table["total_demand"], index=s.products_table["product"])
    t = r["product"].map(total).to_numpy(float)
    sigma_cap = policy.per_product("max_supplier_share", r["product"]) * t
    own = np.minimum(r["capacity"].to_numpy(float), t)
    r = r.assign(avail=np.fmin(own, sigma_cap), by_sigma=sigma_cap < own * (1 - TOL))
    c = r.groupby(["market", "product", *(["hub"] if by_hub else []), "country"], as_index=False).agg(
        avail=("avail", "sum"), n=("supplier", "size"), by_sigma=("by_sigma", "any"))
    kappa = policy.per_market_product("max_country_share", s.demand["region"], s.demand["product"])
    dem = s.demand.assign(kappa=kappa)[["market", "product", "demand", "country", "region", "bloc", "kappa"]]
    c = c.merge(dem, on=["market", "product"], suffixes=("", "_m"))
    countries = s.countries.set_index("country")
    foreign = (c["country"] != c["country_m"]).to_numpy()
    cap = np.where(foreign & c["kappa"].notna().to_numpy(), c["kappa"] * c["demand"], np.inf)
    c["cap"] = cap
    c["limit"] = np.minimum(c["avail"], cap)
    c["by_kappa"] = cap < c["avail"] * (1 - TOL)
    c["by_sigma"] = c["by_sigma"] & ~c["by_kappa"]  # named only where it is what limits the country
    c["local"] = is_local(c["country"].map(countries["region"]), c["region"])
    c["allied"] = is_allied(c["country"], c["country"].map(countries["bloc"]), c["country_m"], c["bloc"])
    return c


def _requirements(policy: Policy, dem: pd.DataFrame) -> list[tuple[str, np.ndarray, str]]:
    """What each demand row of ``dem`` must get, as (field, share of its demand, whence: a flag of
    :func:`_country_limits` or ``all``): all its demand from anywhere, then each min share set."""
    reqs: list[tuple[str, np.ndarray, str]] = [("demand", np.ones(len(dem)), "all")]
    for field, flag in MIN_SHARES.items():
        if getattr(policy, field) is not None:
            reqs.append((field, policy.per_market_product(field, dem["region"], dem["product"]), flag))
    return reqs


def market_conflicts(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Markets whose own requirements already contradict each other: a min share (or all of
    the demand) that the countries able to reach the market cannot deliver once each is
    limited by its capacity, max_supplier_share and max_country_share; pairs in the conflict
    HiGHS found first."""
    s, policy = model.sets, model.policy
    c = _country_limits(s, policy)
    totals = pd.Series(s.products_table["total_demand"], index=s.products_table["product"])
    dem = s.demand.reset_index(drop=True)
    named = pd.concat([df[["market", "product"]] for f, df in iis.items()
                       if {"market", "product"} <= set(df.columns)] or [dem[["market", "product"]].iloc[:0]])
    in_iis = pd.MultiIndex.from_frame(dem[["market", "product"]]).isin(pd.MultiIndex.from_frame(named))
    reqs = _requirements(policy, dem)
    found: list[tuple[bool, str, str, int, int]] = []  # (not in the IIS, market, product, req, row)
    for j, (_, share, flag) in enumerate(reqs):
        sub = c if flag == "all" else c.loc[c[flag]]
        have = sub.groupby(["market", "product"])["limit"].sum()
        have = have.reindex(pd.MultiIndex.from_frame(dem[["market", "product"]]), fill_value=0.0).to_numpy()
        d = dem["demand"].to_numpy(float)
        bad = np.flatnonzero((share > 0) & (np.minimum(have, d) < share * d * (1 - TOL)))
        found += [(not in_iis[i], str(dem["market"].iat[i]), str(dem["product"].iat[i]), j, i) for i in bad]
    found.sort()
    out = []
    for *_, j, i in found[:MAX_REASONS]:
        field, share, flag = reqs[j]
        row = dem.iloc[i]
        sub = c if flag == "all" else c.loc[c[flag]]
        rows = sub.loc[(sub["market"] == row["market"]) & (sub["product"] == row["product"])]
        out.append(_market_sentence(policy, field, float(share[i]), row, rows, flag,
                                    float(totals[row["product"]]), model.network.unit_of(row["product"])))
    rest = [f"'{m}' ('{p}')" for _, m, p, _, _ in found[MAX_REASONS:]]
    if rest:
        out.append(f"the same kind of conflict also holds for market (product) {and_first(rest, 20)}")
    return out


#: the caps that limit what a country's suppliers deliver (:func:`_country_limits`' flags)
CAPS = {"max_country_share": "by_kappa", "max_supplier_share": "by_sigma"}


def single_source_shares(model: NetworkModel) -> list[str]:
    """single_sourcing beside the shares and caps: a market takes all its products from one hub,
    so some hub that serves them all must hold the market whole and get through it alone all of
    each product and each min share of it (each country limited as in :func:`_country_limits`).
    A market with no such hub has no plan (the LP relaxation splits it over hubs): one line per
    market, saying what each hub lacks first. Closed form, per market: markets competing for the
    same hub or supplier are left to the other explanations."""
    s, policy = model.sets, model.policy
    if not policy.single_sourcing or policy.shortfall_penalty is not None:
        return []
    dem = s.demand.reset_index(drop=True)
    served = s.flows[["hub", "market", "product"]].drop_duplicates().groupby(["market", "hub"]).size()
    products = dem.groupby("market", sort=False)["product"].nunique()
    whole = served[served.to_numpy() == products.reindex(served.index.get_level_values("market")).to_numpy()]
    pairs = dem.reset_index(names="_i").merge(whole.index.to_frame(index=False), on="market")
    if pairs.empty:
        return []  # no hub serves a market's every product: single_source_fit says so
    lacks = pd.Series("", index=pd.MultiIndex.from_frame(pairs[["market", "hub"]]).drop_duplicates())
    held = s.hubs.set_index("hub")["capacity"].reindex(lacks.index.get_level_values("hub")).to_numpy(float)
    wanted = dem.groupby("market")["demand"].sum()[lacks.index.get_level_values("market")].to_numpy(float)
    small = falls_short(held, wanted)
    unit = capacity_units(model.network)
    lacks[small] = [f"hub '{h}' holds {number(c)} of the market's {number(w)} {unit}"
                    for (_, h), c, w in zip(lacks.index[small], held[small], wanted[small], strict=True)]
    c = _country_limits(s, policy, by_hub=True)
    whence = {"all": "", "local": " from region {}", "allied": " from allied countries"}
    fields: dict[str, set[str]] = {}
    d = pairs["demand"].to_numpy(float)
    keys = pd.MultiIndex.from_frame(pairs[["market", "product", "hub"]])
    for field, share, flag in _requirements(policy, dem):
        sub = c if flag == "all" else c.loc[c[flag]]
        by = sub.groupby(["market", "product", "hub"])
        have = np.minimum(d, by["limit"].sum().reindex(keys, fill_value=0.0).to_numpy())
        limited = by[["by_kappa", "by_sigma"]].any().reindex(keys, fill_value=False)  # a cap in the way
        need = share[pairs["_i"].to_numpy()] * d
        for k in np.flatnonzero((need > 0) & falls_short(have, need)):
            row = pairs.iloc[k]
            if lacks[row["market"], row["hub"]]:
                continue
            caps = [f for f, col in CAPS.items() if limited[col].iat[k]]
            named = [] if field == "demand" else [f"{field} {need[k] / d[k]:.10g}"]
            named += [field_text(policy, f) for f in caps]
            lacks[row["market"], row["hub"]] = (
                f"hub '{row['hub']}' gets at most {number(have[k])} of the {number(need[k])} "
                f"{model.network.unit_of(row['product'])} of '{row['product']}' it needs"
                f"{whence[flag].format(row['region'])}" + (f" ({', '.join(named)})" if named else ""))
            fields.setdefault(row["market"], set()).update([field, *caps])
    out = []
    for market, said in lacks.groupby(level="market", sort=False):
        if not said.all() or market not in fields:
            continue
        shares = [f for f in MIN_SHARES if f in fields[market]]
        caps = [f for f in CAPS if f in fields[market]]
        hubs = list(said)
        shown = hubs[:5] + ([f"{len(hubs) - 5} more hubs"] if len(hubs) > 5 else [])
        fixes = ["add lanes or capacity so that one hub gets enough of each product",
                 *([f"lower {and_list(shares, 'or')}"] if shares else []),
                 *([f"raise {and_list(caps, 'or')}"] if caps else []), "drop single_sourcing"]
        named = ["single_sourcing", *(field_text(policy, f) for f in (*shares, *caps))]
        out.append(f"{cannot_text(named)} for "
                   f"market '{market}': it takes all its products from one hub, and no hub that serves "
                   f"them all gets enough through it alone: {'; '.join(shown)}; to resolve it: "
                   f"{and_list(fixes, 'or')}")
    return limit_reasons(out, "markets")


def _market_sentence(policy: Policy, field: str, share: float, row: pd.Series, rows: pd.DataFrame,
                     flag: str, total: float, u: str = "units") -> str:
    """One market's conflict: the fields, the quantity needed (in ``u``, the product's unit) and
    what each country can give."""
    d, need = float(row["demand"]), share * float(row["demand"])
    have = min(float(rows["limit"].sum()), d)
    rows = rows.sort_values(["limit", "country"], ascending=[False, True])
    kappa = float(rows["kappa"].iloc[0]) if len(rows) else float("nan")
    sigma = float(policy.per_product("max_supplier_share", pd.Series([row["product"]]))[0])
    fields = [] if field == "demand" else [f"{field} {share:.10g}"]
    if rows["by_kappa"].any():
        fields.append(f"max_country_share {kappa:.10g}")
    if rows["by_sigma"].any():
        fields.append(f"max_supplier_share {sigma:.10g}")
    parts = []
    for _, r in rows.iterrows():
        if r["by_kappa"]:
            parts.append(f"{r['country']} (capped at {percent(kappa)} = {number(r['cap'])} {u})")
        elif r["by_sigma"]:
            parts.append(f"{r['country']} ({number(r['avail'])} {u}: max_supplier_share {sigma:.10g} "
                         f"limits each supplier to {number(sigma * total)} {u})")
        elif r["country"] == row["country"] and not np.isnan(kappa):
            parts.append(f"{r['country']} (its own country, not capped; capacity {number(r['avail'])} {u})")
        else:
            parts.append(f"{r['country']} (capacity {number(r['avail'])} {u})")
    excluded = (f" (excluded_countries {', '.join(policy.excluded_countries)} left out)"
                if policy.excluded_countries else "")
    where = {"local": f"region {row['region']}",
             "allied": f"allied countries ({row['country']}" + (f" and bloc {row['bloc']})" if row["bloc"]
                                                               else ", no bloc)"),
             "all": "anywhere"}[flag]
    if field == "demand":
        head = (f"market '{row['market']}' (product '{row['product']}') cannot get all its {number(d)} {u}"
                if len(fields) == 0
                else f"{cannot_text(fields)} for {market_product(row['market'], row['product'])}")
        body = f"its {number(d)} {u} must come from suppliers able to reach it{excluded}, which are in "
    else:
        head = f"{cannot_text(fields)} for {market_product(row['market'], row['product'])}"
        body = (f"{percent(share)} of its {number(d)} {u} ({number(need)}) must come from {where}, whose "
                f"only suppliers able to reach it{excluded} are in ")
    text = f"{head}: " + (body + f"{and_list(parts)}, i.e. at most {number(have)} {u} ({percent(have / d)})"
                          if parts else body.split(", whose only")[0].split(", which are in")[0]
                          + ", but no supplier there can reach it")
    fixes = []
    if field != "demand":
        fixes.append(f"lower {field} to at most {np.floor(have / d * 100 + 1e-9) / 100:g} in every key of "
                     f"it that applies here -- its region {row['region']}, product '{row['product']}' and, "
                     "in a roadmap, the period (when several keys apply the strictest binds: every market "
                     "they cover gets it)")
    if rows["by_kappa"].any():
        k = least_cap(rows["avail"].to_numpy(float), np.isfinite(rows["cap"].to_numpy(float)),
                      d, need, float(rows["kappa"].iloc[0]))
        if k is not None:
            fixes.append(f"raise max_country_share to at least {k:g}")
    if rows["by_sigma"].any():
        fixes.append("raise max_supplier_share")
    fixes.append("add capacity" + ("" if flag == "all" else f" in {where}") + " that reaches it")
    return f"{text}; to resolve it: {and_list(fixes, 'or')}"


# ---- shares across markets (LP) ---------------------------------------------------------------
def explain_shares_together(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Min shares (or demand) of several markets that compete for the same suppliers, per
    product: every market of the conflict's regions (of its allies, for min_allied_share; every
    market, for demand, or region by region when max_region_share is in the conflict) wanting
    that product, against what the suppliers able to reach them
    deliver while the rest of the policy holds. Each product's shortfall is an LP bound with the
    other products' rows of these fields left out (valid whatever they get); quantities of
    different products are never added."""
    policy, lm = model.policy, model.lm
    present = [f for f in MIN_SHARES if f in iis]
    # one field at a time (with both in the conflict the other's rows are left out, a bound still):
    # summed, a local and an allied need counted the same units twice
    target = (present or (["demand"] if "demand" in iis else [""]))[0]
    if not target:
        return []
    lower = lm.bounds()[2]
    dem = model.sets.demand.drop_duplicates("market").set_index("market")
    # demand short under max_region_share: region by region, which region's markets are short
    by_region = target == "demand" and "max_region_share" in iis
    group = {"min_local_share": dem["region"], "min_allied_share": dem["bloc"].where(dem["bloc"] != "",
                                                                                   dem["country"]),
             "demand": dem["region"] if by_region else pd.Series("", index=dem.index)}[target]
    every = family_labels(model, target).assign(_group=lambda d: d["market"].map(group).to_numpy())
    # every row of the conflict's groups, of every product: HiGHS's conflict names one product, and a
    # planner who relaxed it for that one learnt of the next only from the next run
    chosen = every.loc[every["_group"].isin(every.loc[every["_row"].isin(iis[target]["_row"]), "_group"])]
    all_target = family_rows(model, present or [target])
    unrelated = unrelated_rows(model, iis)
    caps = [f for f in policy_fields(iis) if f != target]
    helping: set[str] = set()  # the caps whose relaxing lets more through, for some product

    def shortfalls(keys: list[str]) -> list[tuple]:
        """(product, need, short, rows, free, mine) of each group of ``chosen`` by ``keys`` short."""
        out = []
        for key, part in chosen.groupby(keys, sort=False):
            mine = part["_row"].to_numpy(np.int64)
            others = np.setdiff1d(all_target, mine)  # left out: a bound whatever the others get
            free = np.concatenate([others, unrelated])
            result = solve_lp(model, free=free, elastic=mine)
            need = float(lower[mine].sum())
            if result is not None and result[0] > need * TOL:
                out.append((str(key[0]), need, result[0], part, free, mine))
        return out

    per_product = (by_region and shortfalls(["product", "_group"])) or shortfalls(["product"])
    if not per_product:
        return []
    for _, _, short, _, free, mine in sorted(per_product, key=lambda x: -x[2])[:2]:  # the shortest two
        helping |= set(easing(model, caps, short, free, mine))
    # a cap in HiGHS's conflict that plays no part is neither named nor advised (max_country_share
    # 0.5 beside an allied share 2,250 short with it at 1 as at 0.5)
    named = [f for f in policy_fields(iis) if f == target or f in helping] or policy_fields(iis)
    what = {"min_local_share": "from their own region", "min_allied_share": "from allied countries",
            "demand": "in total"}
    groups = list(dict.fromkeys(chosen["_group"]))
    where = {"min_local_share": " for the markets of region " + and_list([str(g) for g in groups]),
             "min_allied_share": " for the markets allied with " + and_list([str(g) for g in groups]),
             "demand": ""}[target]
    fields = [field_text(policy, f) for f in named]
    excluded = (f" (excluded_countries {', '.join(policy.excluded_countries)} left out)"
                if policy.excluded_countries else "")
    parts = []
    for product, need, short, part, _, _ in per_product:
        n, regions = part["market"].nunique(), list(dict.fromkeys(part["_group"]))
        whose = (f"the markets of region{'s' * (len(regions) > 1)} {and_list([str(g) for g in regions])}"
                 if by_region else "they")
        parts.append(f"of {product!r} {whose} need {number(need)} {model.network.unit_of(product)} "
                     f"{what[target]} ({count(n, 'market')}) and can get at most "
                     f"{number(need - short)} (at least {number(short)} short)")
    limits = _limits_involved(model, {f: df for f, df in iis.items() if field_of(f) in (None, *named)})
    reach = ("them" + excluded + " (shared with the other markets, the rest of the policy held)" if where
             else "the markets" + excluded + " (the rest of the policy held)")
    return [f"{cannot_text(fields)}{where}, from the suppliers able to reach {reach}: {'; '.join(parts)}"
            + (f"; the limits involved: {limits}" if limits else "")
            + f"; to resolve it: relax {and_list(field_names(policy, named), 'or')}"
            + (" for these markets, or add capacity that reaches them from "
               + ("their own region" if target == "min_local_share" else "allied countries")
               if where else ", or add capacity that reaches the markets")]


def _limits_involved(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> str:
    """The caps and capacities in the conflict, with their units (at most four of them)."""
    s, policy = model.sets, model.policy
    total = pd.Series(s.products_table["total_demand"], index=s.products_table["product"])
    capacity = s.supply.set_index(["supplier", "product"])["capacity"]
    demand = s.demand.set_index(["market", "product"])["demand"]
    items: list[str] = []
    for field, whom in (("max_country_share", lambda r: r.origin), ("max_region_share",
                                                                     lambda r: f"region {r.region}")):
        if field in iis:
            block = model.lm.constraints[field]
            upper = block.upper[iis[field]["_row"].to_numpy(np.int64) - block.start]
            items += [f"{field} caps {whom(r)} at {number(u)} {model.network.unit_of(r.product)} for market "
                      f"'{r.market}' ('{r.product}', {percent(u / demand[(r.market, r.product)])})"
                      for r, u in zip(iis[field].itertuples(), upper, strict=True)]
    if "max_supplier_share" in iis:
        for r in iis["max_supplier_share"].itertuples():
            sigma = float(policy.per_product("max_supplier_share", pd.Series([r.product]))[0])
            items.append(f"max_supplier_share {sigma:.10g} caps supplier '{r.supplier}' at "
                         f"{number(sigma * total[r.product])} {quantity_of(model.network, r.product)}")
    if "supplier_capacity" in iis:
        items += [f"supplier '{r.supplier}' makes at most {number(capacity[(r.supplier, r.product)])} "
                  f"{quantity_of(model.network, r.product)}" for r in iis["supplier_capacity"].itertuples()]
    return and_first(items, 4) if items else ""
