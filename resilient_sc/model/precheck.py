"""Necessary conditions for a plan, tested on the sets before the model is built: capacity
per product, region, bloc and country; enough suppliers; markets that every allowed lane to is
excluded; hubs enough for the policy. Each failed condition is a planner's sentence with the
units needed and the units the data allow; no solver is involved.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InfeasiblePolicyError
from ..format import and_first, and_list, count, field_text, percent, summed_units
from ..format import quantity as number  # units as written (the explanations say number)
from .redundancy import single_failures, surviving_inbound
from .removed import bring_back_count, bringing_back, left_out, making, removed_towards, undo_routes
from .sets import MIN_SHARES, unit_of
from .table import by_id
from .transport import counting, most_delivered, reach

if TYPE_CHECKING:
    from ..data import Network
    from ..policy import Policy
    from .sets import Sets

#: at most this many reasons of one kind are listed
MAX_REASONS = 8


def falls_short(have: Any, need: Any) -> Any:
    """Whether ``have`` falls short of ``need`` beyond round-off, relative to their size (a
    policy at its limit, 0.55 × 1e8 = 55000000.00000001 against 5.5e7, is no shortfall);
    element-wise over arrays."""
    return have < need - 1e-9 * np.maximum(1.0, np.abs(need))


def least_cap(avail: np.ndarray, capped: np.ndarray, demand: float, need: float,
              start: float = 0.0) -> float | None:
    """The least cap κ (a share of ``demand``: max_country_share per origin country,
    max_supplier_share per supplier), rounded up to four decimals, with which origins of ``avail``
    units each deliver ``need`` of ``demand``, those ``capped`` at most κ·demand:
    Σ_uncapped avail + Σ_capped min(avail, κ·demand) ≥ need (bisection from ``start``, the share
    known to fall short); None if not even κ = 1 would.

    >>> least_cap(np.array([60.0, 60, 60]), np.array([True, True, True]), 100, 100)
    0.3334
    """
    def have(k: float) -> float:
        return float(np.where(capped, np.minimum(avail, k * demand), avail).sum())

    if falls_short(have(1.0), need):
        return None
    lo, hi = start, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if falls_short(have(mid), need) else (lo, mid)
    return min(1.0, float(np.ceil(hi * 1e4 - 1e-6)) / 1e4)


def precheck(s: Sets, policy: Policy, network: Network) -> None:
    """Raise :class:`InfeasiblePolicyError` when a necessary condition for a plan fails."""
    pairs = functools.cache(functools.partial(reach, s))  # built once if a check needs it, then dropped
    reasons = (_check_open(s) + _check_served(s, policy, network) + _check_suppliers(s, policy)
               + _check_min_shares(s, policy, network, pairs) + _check_country_share(s, policy, pairs)
               + _check_survive(s, policy, network) + _check_hubs(s, policy))
    if reasons:
        raise InfeasiblePolicyError(reasons)


def limit_reasons(reasons: list[str], what: str) -> list[str]:
    if len(reasons) <= MAX_REASONS:
        return reasons
    return [*reasons[:MAX_REASONS], f"... and {len(reasons) - MAX_REASONS} more {what}"]


def _check_open(s: Sets) -> list[str]:
    out = []
    for kind, table in (("supplier", s.removed_suppliers_table), ("hub", s.removed_hubs_table)):
        if not len(table):
            continue
        df = table.frame()
        bad = df.loc[(df["status"] == "open") & (df["reason"] == "excluded country")]
        out += [f"excluded_countries: {kind} '{r[kind]}' has status open (it must stay in use) but "
                f"its country '{r['country']}' is excluded; close it or lift the exclusion"
                for _, r in bad.iterrows()]
    return out


def _reached(s: Sets) -> np.ndarray:
    """Per demand row, whether some usable supplier reaches it through a usable hub."""
    reached = np.zeros(len(s.demand_table), dtype=bool)
    reached[s.flows_table["_demand"]] = True
    return reached


def _check_served(s: Sets, policy: Policy, network: Network) -> list[str]:
    if policy.shortfall_penalty is not None:
        return []
    products = pd.Index(s.products_table["product"])
    usable = np.isin(s.supply_table["_supplier"], s.inbound_table["_supplier"])
    cap = np.bincount(products.get_indexer(s.supply_table["product"])[usable],
                      s.supply_table["capacity"][usable], minlength=len(products))
    short = []  # a product-wide shortage first, never hidden behind the markets' lines
    gone = s.removed_suppliers
    none_made = set()  # products no usable supplier makes: many markets of one are not listed one by one
    for i in np.argsort(products.to_numpy(str), kind="stable"):
        p, need, have = products[i], float(s.products_table["total_demand"][i]), float(cap[i])
        if have <= 0 < need:
            none_made.add(p)
        if falls_short(have, need):
            u, mine = unit_of(s, p), making(gone, p)
            left, back, enough = (bringing_back(s, network, policy, mine, p, need - have) if len(mine)
                                  else ("", "", False))
            fixes = ["add capacity", *([back] if enough else []), "set shortfall_penalty"]  # its own removals
            short.append(f"demand: product '{p}': usable suppliers can make at most {number(have)} {u} "
                         f"but markets need {number(need)} (missing {number(need - have)} {u} of "
                         f"capacity{f'; left out of the plan: {left}' if left else ''}); "
                         f"{and_list(fixes, 'or')}")
    out = []
    served = _reached(s)
    unserved = s.demand.loc[~served]
    many = unserved["product"].value_counts()  # a product made nowhere, wanted by many markets: its line
    unserved = unserved.loc[~unserved["product"].isin([p for p in none_made if many.get(p, 0) > MAX_REASONS])]
    for _, r in unserved.head(MAX_REASONS).iterrows():  # the removals of the lines shown only
        gone = removed_towards(s, network, unserved.loc[[r.name]])
        blocked, undo = undo_routes(gone, policy.excluded_countries) if len(gone) else ("", [])
        fixes = [*undo, "add lanes to it from a hub that a supplier of the product reaches",
                 "set shortfall_penalty"]
        out.append(f"demand: market '{r['market']}' (product '{r['product']}', {number(r['demand'])} "
                   f"{unit_of(s, r['product'])}) cannot be served: no usable supplier reaches it "
                   "through a usable hub" + (f" (left out of the plan: {blocked})" if blocked else "")
                   + f"; to resolve it: {and_list(fixes, 'or')}")
    more = len(unserved) - MAX_REASONS
    return short + out + ([f"... and {more} more markets"] if more > 0 else [])


def _first_ids(ids: list[str]) -> str:
    """``a, b, c``, or the first :data:`MAX_REASONS` and how many more (a reason listed 137)."""
    if not ids:
        return "none"
    return ", ".join(ids) if len(ids) <= MAX_REASONS else and_first(ids, MAX_REASONS)


def _check_suppliers(s: Sets, policy: Policy) -> list[str]:
    out: list[str] = []
    if policy.min_suppliers is None and policy.max_supplier_share is None:
        return out
    able = s.inbound[["supplier", "product"]].drop_duplicates()
    products = s.demand[["product"]].drop_duplicates().reset_index(drop=True)
    if policy.min_suppliers is not None:
        k = policy.per_product("min_suppliers", products["product"])
        for p, kp in zip(products["product"], k, strict=True):
            ids = sorted(able.loc[able["product"] == p, "supplier"])
            if not np.isnan(kp) and len(ids) < kp:
                out.append(f"min_suppliers {kp:.10g} cannot be met for product '{p}': only {len(ids)} "
                           f"supplier(s) can deliver it ({_first_ids(ids)}); to resolve it: add suppliers of "
                           f"'{p}' with lanes to its markets, or lower min_suppliers to {len(ids)} or fewer")
    if policy.max_supplier_share is not None and policy.shortfall_penalty is None:  # else short, feasible
        sigma = policy.per_product("max_supplier_share", products["product"])
        caps = able.merge(s.supply, on=["supplier", "product"])
        total = s.products.set_index("product")["total_demand"]
        for p, sg in zip(products["product"], sigma, strict=True):
            if np.isnan(sg):
                continue
            need = float(total[p])
            capacity = caps.loc[caps["product"] == p, "capacity"]
            have = float(np.minimum(capacity, sg * need).sum())
            if falls_short(have, need):
                u = unit_of(s, p)
                least = least_cap(capacity.to_numpy(float), np.ones(len(capacity), bool), need,
                                  need, float(sg))  # every supplier capped alike
                out.append(f"max_supplier_share {sg:.10g} cannot be met for product '{p}': with each "
                           f"supplier capped at {number(sg * need)} {u} the suppliers deliver at most "
                           f"{number(have)} of the {number(need)} needed (missing {number(need - have)} "
                           f"{u})" + _also_uncapped(float(capacity.sum()), need, "" if least is None else
                                                     f"add suppliers of '{p}', or raise max_supplier_share "
                                                     f"to at least {least:g}"))
    return out


def _check_min_shares(s: Sets, policy: Policy, network: Network,
                      pairs: Callable[[], pd.DataFrame]) -> list[str]:
    out: list[str] = []  # per market, at most MAX_REASONS of them listed
    totals: list[str] = []  # per group of markets that count the same suppliers: the cause, first
    fields = [f for f in MIN_SHARES if getattr(policy, f) is not None]
    if not fields:
        return out
    r = pairs()
    market_country = pd.Index(s.countries_table["country"]).get_indexer(s.demand["country"])
    for field in fields:
        share = policy.per_market_product(field, s.demand["region"], s.demand["product"])
        # a market no supplier reaches is said so once (demand: ... cannot be served, without a
        # shortfall_penalty), not again as a share no lowering of it would meet
        said = ~_reached(s) if policy.shortfall_penalty is None else np.zeros(len(share), bool)
        dem = s.demand.assign(share=share).loc[~np.isnan(share) & (share > 0) & ~said]
        dem = dem.assign(_group=_group_of(field, dem["region"], dem["country"], dem["bloc"]))  # once a row
        dem = dem.assign(_code=pd.factorize(dem["_group"])[0])  # the group, as a number
        rr = r.merge(dem[["country", "region", "bloc", "share", "demand", "_group", "_code"]],
                     left_on="_demand", right_index=True, suffixes=("", "_m"))  # (the market and product)
        ok = counting(field, s, rr["_country"].to_numpy(), market_country[rr["_demand"].to_numpy()])
        if field == "min_local_share":
            group = lambda row: f"suppliers in region {row['region']}"  # noqa: E731
        else:
            group = lambda row: ("allied suppliers (country " + row["country"]  # noqa: E731
                                 + (f", bloc {row['bloc']})" if row["bloc"] else ")"))
        have = np.bincount(rr["_demand"].to_numpy()[ok], rr["capacity"].to_numpy(float)[ok],
                           minlength=len(s.demand))[dem.index]
        needs = (dem["share"] * dem["demand"]).to_numpy(float)
        for i in np.flatnonzero(falls_short(have, needs)):
            row, cap, need = dem.iloc[i], float(have[i]), float(needs[i])
            u = unit_of(s, row["product"])
            left = ""  # the suppliers left out that reach it: of the lines shown only (limit_reasons)
            if len(out) < MAX_REASONS:
                reaching = removed_towards(s, network, dem.loc[[row.name]])["id"]
                left = left_out(s, network, policy, field, row["product"], need - cap, row, reaching)
            most = _most_share(cap, float(row["demand"]))
            left = left or (f"; to resolve it: lower {field} here to at most {most}, or add capacity that "
                            "reaches it" if most != "0" else
                            f"; to resolve it: add capacity that reaches it, or drop {field} here")
            out.append(
                f"{field} {row['share']:.10g} cannot be met for market '{row['market']}' (product "
                f"'{row['product']}'): {group(row)} can deliver at most {number(cap)} of the "
                f"{number(need)} {u} it requires ({percent(row['share'])} of the "
                f"{number(row['demand'])} {u} of demand; missing {number(need - cap)} {u}){left}")
        totals += _group_totals(s, policy, network, rr.loc[ok], dem, field)
    return totals + limit_reasons(out, "markets")


def _most_share(have: float, demand: float) -> str:
    """The largest share of ``demand`` that ``have`` covers, floored to 4 decimals so that it
    holds (8,300 of 11,600: 0.7155)."""
    return f"{math.floor(have / demand * 1e4) / 1e4:g}"


def _group_of(field: str, region: pd.Series, country: pd.Series, bloc: pd.Series) -> pd.Series:
    """The markets whose ``field`` counts the same suppliers, named: a region's for
    min_local_share (``region Europe``); for min_allied_share a bloc's (``bloc EU``), or a
    country's without a bloc (``country CH (in no bloc)``)."""
    if field == "min_local_share":
        return "region " + region.astype(str)
    return ("bloc " + bloc.astype(str)).where(bloc != "", "country " + country.astype(str) + " (in no bloc)")


def _group_totals(s: Sets, policy: Policy, network: Network, able: pd.DataFrame, dem: pd.DataFrame,
                  field: str) -> list[str]:
    """The markets that count the same suppliers towards ``field`` (``_group``: :func:`_group_of`)
    need their shares of demand together: Σ_m share·demand[m,p] ≤ Σ capacity[s,p] over the
    suppliers that count and reach one of them (``able``: the (supplier, market) pairs that count)."""
    out = []
    group = dem["_group"]
    need = (dem["share"] * dem["demand"]).groupby([group, dem["product"]]).sum()
    caps = able.drop_duplicates(["_supply", "_code"]).groupby(["_group", "product"])["capacity"].sum()
    kind = MIN_SHARES[field]
    markets = dem.groupby([group, dem["product"]]).size()
    for (name, product), n in need.items():
        have = float(caps.get((name, product), 0.0))
        if markets[(name, product)] > 1 and falls_short(have, n):  # one market: said market by market
            u = unit_of(s, product)
            rows = dem.loc[(group == name).to_numpy() & (dem["product"] == product).to_numpy()]
            first, reaching = rows.iloc[0], removed_towards(s, network, rows)["id"]
            place = name.removesuffix(" (in no bloc)")
            most = (f" to at most {_most_share(have, float(rows['demand'].sum()))}"  # one share for them all
                    if rows["share"].nunique() == 1 and rows["demand"].sum() > 0 else "")
            left = left_out(s, network, policy, field, product, n - have, first, reaching) or (
                f"; to resolve it: add capacity in {place} that reaches them, or lower {field} for "
                f"them{most}")
            out.append(f"{field_text(policy, field)}: the {len(rows)} markets of {name} need {number(n)} "
                       f"{kind} {u} of product '{product}' together, but suppliers in {place} that reach "
                       f"them can make at most {number(have)} (missing {number(n - have)} {u}){left}")
    return out


def _check_country_share(s: Sets, policy: Policy, pairs: Callable[[], pd.DataFrame]) -> list[str]:
    if policy.max_country_share is None or policy.shortfall_penalty is not None:  # else short, feasible
        return []
    out = []
    kappa = policy.per_market_product("max_country_share", s.demand["region"], s.demand["product"])
    dem = s.demand.assign(kappa=kappa).loc[~np.isnan(kappa) & _reached(s)]  # else said once, above
    by_country = pairs().groupby(["_demand", "_country"], as_index=False)["capacity"].sum()  # by numbers
    at, origin = by_country["_demand"].to_numpy(), by_country["_country"].to_numpy()
    by_country = by_country.assign(market=s.demand["market"].to_numpy(object)[at],
                                   product=s.demand["product"].to_numpy(object)[at],
                                   country=np.asarray(s.countries_table["country"], object)[origin])
    by_country = by_country.merge(dem[["demand", "kappa", "country"]], left_on="_demand", right_index=True,
                                  suffixes=("", "_m"))
    foreign = by_country["country"] != by_country["country_m"]
    by_country["usable"] = np.where(foreign, np.minimum(by_country["capacity"],
                                                        by_country["kappa"] * by_country["demand"]),
                                    np.minimum(by_country["capacity"], by_country["demand"]))
    grouped = by_country.groupby("_demand")  # (a market and product)
    usable, uncapped = grouped["usable"].sum(), grouped["capacity"].sum()
    least = []  # the least share that would do, per market listed (None: not even 1)
    haves = usable.reindex(dem.index, fill_value=0.0).to_numpy(float)
    short = np.flatnonzero(falls_short(haves, dem["demand"].to_numpy(float)))
    rows_of = grouped.indices if len(short) else {}
    # the share requirements a cap must leave room for: the least cap meets them too (min_local_share
    # 1 with max_country_share 0.05 advised 0.125 where only 1 does: remedies audit)
    required = {f: policy.per_market_product(f, s.demand["region"], s.demand["product"])[dem.index]
                for f in MIN_SHARES if getattr(policy, f) is not None}
    codes = pd.Index(s.countries_table["country"])
    for i in short:
        row, have = dem.iloc[i], float(haves[i])
        mine = by_country.iloc[rows_of.get(row.name, [])]
        avail, capped = mine["capacity"].to_numpy(float), (mine["country"] != mine["country_m"]).to_numpy()
        d, start = float(row["demand"]), float(row["kappa"])
        ks = [least_cap(avail, capped, d, d, start)]
        why = [""]  # the share requirement each least cap leaves room for
        for field, share in required.items():
            if share[i] > 0:  # the origins that count towards it must deliver share·demand within the cap
                counts = counting(field, s, mine["_country"].to_numpy(), codes.get_loc(row["country"]))
                ks.append(least_cap(avail[counts], capped[counts], d, float(share[i]) * d, start))
                why.append(f" and its {field} of {float(share[i]):.10g}")
        k = None if None in ks else max(ks)  # type: ignore[type-var]
        least.append(k)
        # a cap raised by a share requirement names it (0.95 said with the arithmetic of 0.125)
        also = "" if k is None or k == ks[0] or ks[0] is None else (
            f"{why[ks.index(k)]} (at least {ks[0]:g} for its demand alone)")
        u, n_c = unit_of(s, row["product"]), len(mine)
        out.append(f"max_country_share {row['kappa']:.10g} cannot be met for market '{row['market']}' "
                   f"(product '{row['product']}'): with each foreign country capped at "
                   f"{number(row['kappa'] * row['demand'])} {u}, the "
                   f"{count(n_c, 'origin country', 'origin countries')} that "
                   f"{'reaches it delivers' if n_c == 1 else 'reach it deliver'} at most "
                   f"{number(have)} of the {number(row['demand'])} {u} needed (missing "
                   f"{number(row['demand'] - have)} {u})"
                   + _also_uncapped(float(uncapped.get(row.name, 0.0)),
                                    row["demand"], "" if k is None else
                                    f"a max_country_share of at least {k:g} here would let them "
                                    f"deliver it{also}"))
    out = _domestic_totals(s, policy, pairs(), dem) + limit_reasons(out, "markets")
    if len(least) > 1 and None not in least:
        out.append(f"max_country_share: at least {max(least):g} (in every key of it that applies to them) "
                   f"would let the origin countries of each of these {len(least)} markets deliver its "
                   "demand, each market taken alone (they share their suppliers' capacity, and other rows "
                   "of the policy may still bind)")
    return out


def _domestic_totals(s: Sets, policy: Policy, pairs: pd.DataFrame, dem: pd.DataFrame) -> list[str]:
    """The capped markets of one country need their demand of a product together, from suppliers
    of that country and foreign countries each within its caps. Screened by Σ_m demand[m,p] ≤
    min(domestic capacity, Σ_m demand[m,p]) + Σ_c min(capacity of c, Σ_m κ_m·demand[m,p]), each
    over the suppliers and markets it reaches (``dem``: the demand rows with their cap ``kappa``);
    what a group that fails it can get, capped and uncapped, from :func:`.transport.most_delivered`
    (a shortfall left uncapped is said to be the data's; none is said for caps of 1). A market alone
    is the per-market check; a country's markets can each pass it and fail together
    (max_country_share 0 leaves them to the domestic suppliers, who serve them all)."""
    several = dem.groupby(["country", "product"])["market"].transform("size") > 1
    dem = dem.loc[several]
    if dem.empty:
        return []
    codes = pd.Index(s.countries_table["country"])
    dem = dem.assign(_home=codes.get_indexer(dem["country"]))  # the market's country, as a number
    rr = pairs.merge(dem[["demand", "kappa", "country", "_home"]], left_on="_demand", right_index=True,
                     suffixes=("", "_m")).reset_index(drop=True)  # (on the demand row: market, product)
    home = (rr["_country"] == rr["_home"]).to_numpy()
    key = ["country_m", "product"]

    def reachable(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        """Per ``by`` (the markets' country and product, and maybe the origin country): the
        capacity of the suppliers of ``rows`` (each once), the demand of the markets they reach
        and its capped part (Σ κ·demand), each market once (a supply row is a supplier and
        product, a demand row a market and product: numbers, not text, over millions of pairs)."""
        markets = rows.drop_duplicates(["_demand", "_country"] if "country" in by else ["_demand"])
        markets = markets.assign(allowed=markets["kappa"] * markets["demand"])
        return pd.concat([rows.drop_duplicates(["_supply", "_home"]).groupby(by)["capacity"].sum(),
                          markets.groupby(by)[["demand", "allowed"]].sum()], axis=1)

    mine = reachable(rr.loc[home], key)  # at most the demand they reach, as any origin
    domestic = np.minimum(mine["capacity"], mine["demand"])
    theirs = reachable(rr.loc[~home], [*key, "country"])  # per foreign origin country
    capped = np.minimum(theirs["capacity"], theirs["allowed"]).groupby(level=[0, 1])
    abroad, origins = capped.sum(), capped.size()
    uncapped = np.minimum(theirs["capacity"], theirs["demand"]).groupby(level=[0, 1]).sum()
    out = []
    products = pd.Index(s.products_table["product"])
    n_products = len(products)
    product_code = products.get_indexer(s.demand["product"])  # per demand row
    at_pair = rr["_home"].to_numpy() * n_products + product_code[rr["_demand"].to_numpy()]
    grouped, by_group = dem.groupby(["country", "product"]), pd.Series(at_pair).groupby(at_pair).indices
    for (country, product), need in grouped["demand"].sum().items():
        at = (country, product)
        home_have, abroad_have = float(domestic.get(at, 0.0)), float(abroad.get(at, 0.0))
        if not falls_short(home_have + abroad_have, need):
            continue
        kappas = dem.iloc[grouped.indices[at]]["kappa"]
        if (kappas >= 1).all():  # a cap that restricts nothing: the data's shortage, not the policy's
            continue
        mine_rows = rr.iloc[by_group.get(codes.get_loc(country) * n_products + products.get_loc(product), [])]
        together, uncapped = most_delivered(mine_rows, True), most_delivered(mine_rows, False)
        u, n_origins = unit_of(s, product), int(origins.get(at, 0))
        origins_text = count(n_origins, "foreign origin country", "foreign origin countries") + (
            " that reaches" if n_origins == 1 else " that reach")
        abroad_text = ("the cap lets no foreign country deliver" if not (kappas > 0).any() else
                       "no foreign supplier reaches them" if n_origins == 0 else
                       f"each within its caps, the {origins_text} them at most {number(abroad_have)}")
        both = (f"; together, within the caps, at most {number(together)}"
                if together < (home_have + abroad_have) * (1 - 1e-9) else "")
        out.append(f"{field_text(policy, 'max_country_share')}: the {len(grouped.indices[at])} markets of "
                   f"country {country} need {number(need)} {u} of product '{product}' together; suppliers in "
                   f"{country} can deliver them at most {number(home_have)}, and {abroad_text}{both} "
                   f"(missing {number(need - together)} {u})"
                   + _also_uncapped(uncapped, need, f"raise max_country_share, or add capacity in {country}"))
    return out


def _also_uncapped(capacity: float, need: float, otherwise: str) -> str:
    """What a cap's reason adds: that the capacity in reach is short even without the cap (then
    relaxing the cap alone does not help), else ``otherwise`` (a remedy, or nothing)."""
    if falls_short(capacity, need):
        return (f"; even uncapped they deliver at most {number(capacity)}: add capacity or lanes, or set "
                "shortfall_penalty")
    return f"; {otherwise}" if otherwise else ""


#: what restores the capacity a failure of each kind takes away
_SURVIVE_FIX = {"supplier": "add capacity of '{p}' at other suppliers",
                "hub": "add lanes from suppliers of '{p}' to other hubs",
                "country": "add capacity of '{p}' outside {element}, with lanes through hubs outside it"}


def _check_survive(s: Sets, policy: Policy, network: Network) -> list[str]:
    if not policy.survive:
        return []

    out = []
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = (beta * s.demand["demand"]).groupby(s.demand["product"]).sum()
    total, gone = s.demand.groupby("product")["demand"].sum(), s.removed_suppliers
    failures = single_failures(s, policy.survive)
    if failures.empty:
        return out
    # usable capacity per (failure, product): supply rows with an inbound arc that survives
    fi, ai = surviving_inbound(s, failures)
    n_supply, products = len(s.supply_table), pd.Index(need.index)
    alive = np.unique(fi * n_supply + s.inbound_table["_supply"][ai])
    row = alive % n_supply
    product = products.get_indexer(s.supply_table["product"][row])
    cap = np.bincount(alive // n_supply * len(products) + product, s.supply_table["capacity"][row],
                      minlength=len(failures) * len(products)).reshape(len(failures), -1)
    cut = _cut_off(s, policy.survive, beta > 0)
    for i, (_, f) in enumerate(failures.iterrows()):
        what = {"supplier": f"losing supplier '{f['element']}'", "hub": f"losing hub '{f['element']}'",
                "country": f"losing country '{f['element']}' (every supplier and hub there)"}[f["kind"]]
        for j, (p, n) in enumerate(need.items()):
            have = float(cap[i, j])
            if falls_short(have, n):
                u, level = unit_of(s, p), np.floor(have / total[p] * 1e4) / 1e4  # a uniform level that fits
                fixes = [_SURVIVE_FIX[f["kind"]].format(p=p, element=f["element"])]
                if any(making(gone.loc[gone["reason"] == "excluded country"], p)["supplier"]):
                    fixes.append(f"lift an exclusion (a supplier of '{p}' is left out)")
                fixes.append(f"lower service_level for '{p}' to at most {level:g}")
                out.append(f"survive {f['kind']}: {what} leaves product '{p}' with at most {number(have)} "
                           f"{u} of usable capacity, below the {number(n)} {u} the service level requires "
                           f"(missing {number(n - have)} {u}); to resolve it: {and_list(fixes, 'or')}")
        rows = cut.get((f["kind"], f["element"]), np.empty(0, int))
        rows = rows[cap[i, products.get_indexer(s.demand_table["product"][rows])] > 0]  # else said above
        if len(rows):
            lost = pd.DataFrame({"market": s.demand_table["market"][rows],
                                 "product": s.demand_table["product"][rows],
                                 "units": (beta * s.demand_table["demand"])[rows]})
            out.append(_cut_off_reason(s, network, policy, f["failure"], lost,
                                       removed=len(out) < MAX_REASONS))  # of the lines shown only
    return limit_reasons(out, "lines on failures")


def _cut_off(s: Sets, kinds: tuple[str, ...], required: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """The ``required`` demand rows that some single failure of ``kinds`` cuts off from every
    supplier, by (kind, element): the rows' positions. A route to a demand row is a (supplier,
    hub) pair with an inbound lane of the product and an outbound lane to the row; a row is cut
    off by a supplier that every route starts at, a hub that every route passes, a country that
    every route touches (its supplier or its hub). Per (hub, product) the suppliers and their
    countries are counted once, then each row's outbound lanes are read, so no route is listed
    (millions on ladder XL)."""
    inbound, outbound = s.inbound_table, s.outbound_table
    n_products = len(s.products_table)
    products = pd.Index(s.products_table["product"])
    feeds = pd.DataFrame({"key": inbound["_hub"] * n_products + products.get_indexer(inbound["product"]),
                          "supplier": inbound["supplier"], "country": inbound["country"]})
    by_key = feeds.groupby("key").agg(suppliers=("supplier", "nunique"), supplier=("supplier", "first"),
                                      countries=("country", "nunique"), country=("country", "first"))
    hub = outbound["_hub"]
    key = hub * n_products + products.get_indexer(s.demand_table["product"][outbound["_demand"]])
    at = by_key.index.get_indexer(key)  # every outbound lane has a feeder (build_sets prunes the rest)
    routes = pd.DataFrame({
        "row": outbound["_demand"], "hub": s.hubs_table["hub"][hub],
        "supplier": np.where(by_key["suppliers"].to_numpy()[at] == 1,
                             by_key["supplier"].to_numpy()[at], None),
        "hub_country": s.hubs_table["country"][hub],
        "supplier_country": np.where(by_key["countries"].to_numpy()[at] == 1,
                                     by_key["country"].to_numpy()[at], None)})
    routes = routes.loc[required[routes["row"]]]
    n_lanes = routes.groupby("row").size()
    cut: dict[tuple[str, str], list[int]] = {}

    def each_lane(columns: list[str], kind: str) -> None:
        """Rows whose every outbound lane has the same element in one of ``columns``."""
        hits = pd.concat([routes[["row", c]].set_axis(["row", "element"], axis=1) for c in columns])
        hits = hits.dropna().reset_index(names="lane").drop_duplicates()  # a lane touching it twice once
        counts = hits.groupby(["row", "element"]).size()
        whole = counts.to_numpy() == n_lanes.reindex(counts.index.get_level_values("row")).to_numpy()
        for row, element in counts.index[whole]:
            cut.setdefault((kind, element), []).append(row)

    if "supplier" in kinds:
        each_lane(["supplier"], "supplier")
    if "hub" in kinds:
        each_lane(["hub"], "hub")
    if "country" in kinds:
        each_lane(["hub_country", "supplier_country"], "country")
    return {k: np.sort(np.asarray(v)) for k, v in cut.items()}


def _cut_off_reason(s: Sets, network: Network, policy: Policy, failure: str, cut: pd.DataFrame,
                    removed: bool = True) -> str:
    """``survive hub cannot be met: losing hub 'H1' cuts off market 'Lyon' (product 'default',
    50 units required): no remaining supplier reaches it through a remaining hub; to resolve it:
    ...``: the (market, product, units required) rows of ``cut`` that ``failure`` (``hub:H1``)
    leaves without a route; with ``removed``, the suppliers and hubs left out of the plan that have
    lanes towards the rows shown, and what undoes their removal."""
    kind, _, element = failure.partition(":")
    shown = cut.head(MAX_REASONS)
    named = [f"market '{m}' (product '{p}', {number(u)} {unit_of(s, p)} required)"
             for m, p, u in zip(shown["market"], shown["product"], shown["units"], strict=True)]
    more = [f"{len(cut) - len(shown)} more"] if len(cut) > len(shown) else []
    them, their = ("it", "its") if len(cut) == 1 else ("them", "their")
    gone = removed_towards(s, network, shown, failure) if removed else pd.DataFrame()
    left, undo = "", []
    if len(gone):
        listed, undo = undo_routes(gone, policy.excluded_countries)
        left = f" (left out of the plan, with lanes towards {them}: {listed})"
    fixes = [*undo, f"add lanes that avoid {kind} '{element}'",
             f"lower service_level to 0 for {their} region and product (every key of it that applies)"]
    return (f"{field_text(policy, 'survive')} cannot be met: losing {kind} '{element}' cuts off "
            f"{and_list(named + more)}: no remaining supplier reaches {them} through a remaining hub{left}; "
            f"to resolve it: {and_list(fixes, 'or')}")


def _check_hubs(s: Sets, policy: Policy) -> list[str]:
    out = []
    n = len(np.unique(s.inbound_table["_hub"]))  # hubs that can receive
    usable, opened = len(s.hubs_table), int((s.hubs["status"] == "open").sum())
    if policy.min_hubs is not None and policy.min_hubs > usable:
        gone = s.removed_hubs  # named with why, and what brings them back (they were not: audit)
        listed, undo = (bring_back_count(by_id(gone, "hub"), "hub", policy.excluded_countries,
                                         policy.min_hubs - usable) if len(gone) else ("", []))
        left = f" (left out of the plan: {listed})" if listed else ""
        fixes = [*undo, "add hubs", f"lower min_hubs to {usable}"]
        out.append(f"min_hubs {policy.min_hubs} cannot be met: only "
                   f"{count(usable, 'usable hub')} {'exists' if usable == 1 else 'exist'}{left}; to resolve "
                   f"it: {and_list(fixes, 'or')}")
    if policy.max_hubs is not None and policy.max_hubs < opened:
        out.append(f"max_hubs {policy.max_hubs} cannot be met: "
                   f"{count(opened, 'hub')} {'has' if opened == 1 else 'have'} status open")
    fewer = policy.max_hubs is not None and policy.max_hubs < len(s.hubs_table)  # else not max_hubs's doing
    if fewer and policy.shortfall_penalty is None and n:
        top = np.sort(s.hubs_table["capacity"])[::-1][:policy.max_hubs].sum()
        need = float(s.demand["demand"].sum())
        if falls_short(top, need) and policy.max_hubs == 0:
            wanted = s.demand.groupby("product", sort=False)["demand"].sum()
            out.append("max_hubs 0 cannot be met: it opens no hub, and markets need "
                       + ", ".join(f"{number(v)} {unit_of(s, p)} of '{p}'" for p, v in wanted.items()))
        elif falls_short(top, need) and not falls_short(s.hubs_table["capacity"].sum(), need):
            # (all hubs short together: the data's doing, said as such, not max_hubs's; audit)
            largest = count(policy.max_hubs, "largest usable hub").removeprefix("1 ")
            verb = "handles" if policy.max_hubs == 1 else "handle"
            caps = np.sort(s.hubs_table["capacity"])[::-1]
            enough = int(np.searchsorted(np.cumsum(caps), need * (1 - 1e-9))) + 1  # the largest first
            units = summed_units(list(dict.fromkeys(s.demand["product"])), functools.partial(unit_of, s))
            out.append(f"max_hubs {policy.max_hubs} cannot be met: the {largest} {verb} at most "
                       f"{number(top)} {units}, as hub capacity counts them, but markets need "
                       f"{number(need)}; to resolve it: raise max_hubs to at least {enough}, or add hub "
                       "capacity")
    if policy.single_sourcing and policy.shortfall_penalty is None:  # else a product may go short
        need = s.demand.groupby("market")["product"].nunique()
        serve = s.outbound.groupby(["hub", "market"])["product"].nunique().reset_index()
        serve = serve.loc[serve["product"] == serve["market"].map(need)]
        for m in sorted(set(need.index) - set(serve["market"])):
            out.append(f"single_sourcing cannot be met for market '{m}': no single hub has lanes "
                       "to it for all of its products")
    return out
