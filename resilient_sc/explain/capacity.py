"""CO2 caps, N-1 survival and hub counts in conflict: what every plan needs at least."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..format import and_first, count, ordinal, percent, quantities_apart, quantity_up
from ..model.precheck import MAX_REASONS, falls_short, limit_reasons, number
from ..model.redundancy import single_failures
from ..model.sets import MIN_SHARES, is_allied, is_local, positions
from ..solvers.base import Status
from ..solvers.highs import pass_matrix, run_highs
from .lp import (
    OutOfTime,
    demand_total,
    easing,
    family_labels,
    family_rows,
    highest_level,
    in_time,
    least_whole,
    solve_lp,
    timed_highs,
    unrelated_rows,
    with_copies,
)
from .words import (
    TOL,
    and_list,
    cannot_text,
    capacity_units,
    excluded_in_effect,
    failure_text,
    failures_text,
    field_names,
    field_of,
    field_text,
    market_product,
    policy_fields,
    quantity_of,
    units_of,
)

if TYPE_CHECKING:
    from ..model.build import NetworkModel
    from ..model.sets import Sets
    from ..policy import Policy

#: seconds the search for a survive conflict's worst failure may take (one LP per failure)
WORST_SECONDS = 20.0


# ---- CO2 cap ------------------------------------------------------------------------------------
def explain_co2(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """co2_cap against the least CO2 any plan emits under the rest of the policy."""
    lm, policy = model.lm, model.policy
    block = lm.constraints["co2_cap"]
    cost = np.zeros(lm.n_cols)
    np.add.at(cost, block.cols, block.vals)
    co2_rows = family_rows(model, ["co2_cap"])
    unrelated = unrelated_rows(model, iis)
    least = solve_lp(model, cost, free=np.concatenate([co2_rows, unrelated]))
    cap = float(policy.co2_cap or 0.0)
    if least is None:
        return []
    # with whole hubs and suppliers (max_hubs 4: the LP's 932,864 left the cap advised one short of
    # the 933,294 every plan emits)
    whole = least_whole(model, cost, free=np.concatenate([co2_rows, unrelated]))
    emit = max(least[0], whole.bound if whole else -np.inf)
    if emit <= cap * (1 + 1e-9) + 1e-9:  # the solver said no plan: any excess counts
        return []
    others = policy_fields(iis, leave=("co2_cap",))
    without = None
    if others:
        relaxed = family_rows(model, [f for f in lm.constraints if field_of(f) in others])
        without = solve_lp(model, cost, free=np.concatenate([co2_rows, relaxed, unrelated]))
    if without is not None and without[0] >= emit * (1 - 1e-9) - 1e-9:  # they raise the least CO2 by
        others, without = [], None  # nothing: not named ('... and min_suppliers 2 emits at least X
        # (without min_suppliers: at least X)': audit)
    others_text = and_list([field_text(policy, f) for f in others]) if others else ""
    per_product = model.sets.demand.groupby("product", sort=False)["demand"].sum()
    demand = (f"{number(per_product.iloc[0])} {model.network.unit_of(per_product.index[0])}"
              if len(per_product) == 1
              else and_list([f"{number(v)} {quantity_of(model.network, p)}" for p, v in per_product.items()]))
    meets = ([f"all demand ({demand})"] if policy.shortfall_penalty is None
             else []) + ([others_text] if others else [])
    # the cap printed apart from every amount beside it (79.99999 read "80" beside a least of 80)
    cap_text, emit_text = quantities_apart(cap, emit)
    if without is not None:
        cap_text = max(cap_text, quantities_apart(cap, without[0])[0], key=len)
    text = (f"co2_cap {cap_text} cannot be met: every plan" + (f" that meets {' and '.join(meets)}"
                                                             if meets else "")
            + f" emits at least {emit_text} CO2 units, {number(emit - cap)} more than the cap")
    fixes = [f"raise co2_cap to at least {quantity_up(emit)}"]
    if without is not None:
        text += f" (without {and_list(field_names(policy, others))}: at least {number(without[0])})"
        if without[0] <= cap * (1 + 1e-9) + 1e-9:  # as strict as the first test
            fixes.append(f"relax {and_list(field_names(policy, others), 'or')}")
    if excluded := excluded_in_effect(model):  # their suppliers and hubs are gone before the model is built
        text += f" (with excluded_countries {', '.join(excluded)}, whose suppliers and hubs are left out)"
        if _cleaner_left_out(model):
            fixes.append("lift an exclusion")
    fixes.append("use suppliers and lanes with less CO2")
    return [f"{text}; to resolve it: {and_list(fixes, 'or')}"]


def _cleaner_left_out(model: NetworkModel) -> bool:
    """Whether a supplier left out by an excluded country makes some product with less CO2 a unit
    than every supplier kept: only then may lifting the exclusion lower the least emissions."""
    sp = model.network.supplier_products
    gone = model.sets.removed_suppliers
    out = sp["supplier"].isin(gone.loc[gone["reason"] == "excluded country", "supplier"])
    cleanest_kept = sp.loc[~out].groupby("product")["co2"].min()
    return bool((sp.loc[out, "co2"] < sp.loc[out, "product"].map(cleanest_kept).fillna(np.inf)).any())


# ---- N-1 survival -----------------------------------------------------------------------------
def fewest_hubs(model: NetworkModel) -> list[str]:
    """max_hubs against the hubs a plan needs, by whichever count asks for more: the hubs that
    reach every market (:func:`_cover`) or, with survive hub, the hubs whose capacity is left
    after losing one (:func:`_survive_capacity`); a fix that asks for the smaller count left
    the next run infeasible (3 advised, 8 needed)."""
    found = [f for f in (_cover(model), _survive_capacity(model)) if f[1]]
    return max(found, key=lambda f: f[0])[1] if found else []


def _survive_capacity(model: NetworkModel) -> tuple[float, list[str]]:
    """survive hub with max_hubs k, and the hubs it asks for (inf: no count is enough): after
    losing the largest of at most k open hubs, the others must still handle the units the
    service level requires; at best they are the 2nd to k-th largest hubs (c₂ + … + c_k, hubs
    sorted by capacity c₁ ≥ c₂ ≥ …: the k - 1 largest, c₁ + … + c_{k-1}, advised 3 hubs where
    losing the largest of 3 left too little and 4 were needed; audit)."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    if "hub" not in policy.survive or k is None:
        return 0, []
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = float((beta * s.demand["demand"]).sum())
    caps = np.sort(np.asarray(s.hubs_table["capacity"], float))[::-1]
    top = float(caps[1:max(k, 1)].sum())  # what k open hubs handle at most after losing one
    if top >= need * (1 - TOL):
        return 0, []
    # k = j + 2 hubs leave c₂ + … + c_{j+2} after losing the largest
    enough = np.flatnonzero(np.cumsum(caps[1:]) >= need * (1 - TOL))
    # summed, as hub capacity counts them
    units = units_of(list(dict.fromkeys(s.demand["product"])), model.network)
    if not len(enough):  # no count of hubs is enough: not max_hubs's doing
        left = float(caps[1:].sum())
        return np.inf, [
            f"{cannot_text([field_text(policy, 'survive')])} with any number of hubs open: losing the "
            f"largest of the {len(caps)} usable hubs leaves the others handling at most {number(left)} "
            f"{units}, below the {number(need)} the service level requires (missing {number(need - left)}); "
            "to resolve it: add hub capacity or lower service_level"]
    rest = ("losing it leaves no hub" if k <= 1 else
            f"losing the larger leaves one hub, and the second largest hub handles at most {number(top)} "
            f"{units}" if k == 2 else f"losing the largest of them leaves {k - 1} hubs, and the 2nd to "
            f"{ordinal(k)} largest hubs handle at most {number(top)} {units}")
    fields = [field_text(policy, "survive"), f"max_hubs {k}"]
    return int(enough[0]) + 2, [
            f"{cannot_text(fields)}: with at most {k} hub{'s' if k != 1 else ''} open, {rest}"
            + f", below the {number(need)}{f' {units}' if k <= 1 else ''} the service level requires "
            f"(missing {number(need - top)}); to resolve it: raise max_hubs to at least "
            f"{int(enough[0]) + 2}, lower service_level or add hub capacity"]


def explain_survive(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """survive against what the contracted suppliers and opened hubs left by a failure can do."""
    s, policy, lm = model.sets, model.policy, model.lm
    if "hub_count" in iis:
        lines = fewest_hubs(model)
        if lines:
            return lines
    failures = pd.concat([df["failure"] for f, df in iis.items() if f.startswith("survive_")])
    names = list(failures.value_counts(sort=True).index)  # most rows first
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = float((beta * s.demand["demand"]).sum())
    block = lm.constraints.get("survive_demand")
    if block is None:
        return []
    failure = np.asarray(block.labels["failure"], dtype=object)
    mine = np.isin(failure, names)
    rows = block.start + np.arange(block.size)
    free = np.concatenate([rows[~mine], unrelated_rows(model, iis)])
    result = solve_lp(model, free=free, elastic=rows[mine], groups=failure[mine])
    if result is None or result[0] <= need * TOL:
        return []
    short = result[0]
    others = easing(model, policy_fields(iis, leave=("survive",)), short, free, rows[mine], failure[mine])
    fields = [field_text(policy, "survive"), *(field_text(policy, f) for f in others)]
    # the worst failure: the one that alone leaves most short (the grouped LP's answer may leave
    # others as short as it: a tie there named CN where losing US leaves 10,255 short)
    each: dict[str, tuple[float, np.ndarray] | None] = {}  # each failure's own least shortfall
    start = time.perf_counter()
    for n in names[:10] if len(names) > 1 else []:  # on a large network each is a whole LP
        each[n] = solve_lp(model, free=np.concatenate([free, rows[mine & (failure != n)]]),
                           elastic=rows[failure == n])
        if time.perf_counter() - start > WORST_SECONDS:
            break
    worst = max(each, key=lambda n: each[n][0] if each[n] is not None else -np.inf) if each else names[0]
    lost_one = failure_text(worst)
    tried = "" if len(each) == len(names) else f" of the {len(each)} tried"
    lost = (f"losing {lost_one}" if len(names) == 1 else
            f"losing one of {failures_text(names)} (the worst{tried}: {lost_one})")
    products = list(dict.fromkeys(s.demand["product"]))
    said, apart = f"{number(short)} of the {number(need)} {units_of(products, model.network)}", ""
    if len({model.network.unit_of(p) for p in products}) > 1:  # each product in its unit, never summed
        product = np.asarray(block.labels["product"], dtype=object)
        amounts = []
        for p in products:
            own = mine & (product == p)
            least = solve_lp(model, free=np.concatenate([free, rows[mine & ~own]]), elastic=rows[own],
                             groups=failure[own]) if own.any() else None
            need_p = float((beta * s.demand["demand"])[(s.demand["product"] == p).to_numpy()].sum())
            if least is not None and least[0] > need_p * TOL:
                amounts.append(f"{number(least[0])} of the {number(need_p)} {quantity_of(model.network, p)}")
        if amounts:  # else short only together, through hub capacity: said as it counts them
            said, apart = and_list(amounts), " (each product in the worst case for it)"
        else:
            said += " (as hub capacity counts them)"
    text = (f"{cannot_text(fields)}: whatever suppliers are contracted and hubs opened, {lost} leaves at "
            f"least {said} the service level requires undelivered"
            + (apart or ("" if len(names) == 1 else " in the worst of these cases")))
    pairs = iis.get("survive_demand")
    if pairs is not None:  # the markets in the conflict, the worst failure's where it has some
        pairs = pairs.loc[pairs["failure"] == worst] if (pairs["failure"] == worst).any() else pairs
        pairs = pairs[["market", "product"]].drop_duplicates()
        hit = ([market_product(r.market, r.product) for r in pairs.itertuples()] if len(pairs) <= 3
               else [f"'{m}'" for m in dict.fromkeys(pairs["market"])])
        text += f"; {'' if len(pairs) <= 3 else 'markets '}in the conflict: {and_first(hit, 6)}"
    capacities = []
    worst_rows = lambda f: iis[f].loc[iis[f]["failure"] == worst]  # noqa: E731  (the worst failure's)
    if "survive_hub_capacity" in iis:
        caps = s.hubs.set_index("hub")["capacity"]
        capacities += [f"hub '{h}' ({number(caps[h])} {capacity_units(model.network)})"
                       for h in dict.fromkeys(worst_rows("survive_hub_capacity")["hub"])]
    if "survive_supplier_capacity" in iis:
        caps = s.supply.set_index(["supplier", "product"])["capacity"]
        pairs_s = worst_rows("survive_supplier_capacity")[["supplier", "product"]].drop_duplicates()
        capacities += [f"supplier '{r.supplier}' ({number(caps[(r.supplier, r.product)])} "
                       f"{quantity_of(model.network, r.product)})" for r in pairs_s.itertuples()]
    if capacities:
        text += f"; capacities in the conflict: {and_first(capacities, 4)}"
    fits = _level_that_fits(model, free, rows[mine])
    fixes = ["lower service_level" + (f" to at most {fits:g}" if fits is not None else "")]
    fixes += [f"relax {f}" for f in field_names(policy, others)] + [
        "add capacity and lanes that do not depend on " + (lost_one if len(names) == 1 else "these")]
    return [f"{text}; to resolve it: {and_list(fixes, 'or')}"]


def _level_that_fits(model: NetworkModel, free: np.ndarray, rows: np.ndarray) -> float | None:
    """The highest uniform service level that survive's rows ``rows`` leave room for
    (:func:`.lp.highest_level`, the rows ``free`` left out: a bound on every plan), rounded down
    to four places, when it is below the level asked; None for a level asked per region or
    product (one number would not say which key to lower)."""
    asked = model.policy.service_level
    if isinstance(asked, dict):
        return None
    s, block = model.sets, model.lm.constraints["survive_demand"]
    at = positions(block.index.iloc[rows - block.start], s.demand, ["market", "product"])
    try:
        level = highest_level(model, free, rows, s.demand["demand"].to_numpy(float)[at])
    except OutOfTime:  # the reasons found stand without it
        return None
    fits = None if level is None else math.floor(level * 1e4 + 1e-6) / 1e4
    return fits if fits is not None and fits < (1.0 if asked is None else asked) else None


# ---- hub counts ----------------------------------------------------------------------------------
def _hub_requirements(s: Sets, policy: Policy) -> list[tuple[frozenset[str], str, bool]]:
    """What needs an open hub, as (the hubs able to carry it, words, from survive), one per
    distinct set of hubs: each market and product (when no shortfall is allowed), each min
    share, and with survive hub or country each market and product after each such loss."""
    dem = s.demand.reset_index(drop=True)
    flows = s.flows[["hub", "origin", "_demand"]]
    d = dem.iloc[flows["_demand"].to_numpy()].reset_index(drop=True)
    countries = s.countries.set_index("country")
    flag = {"local": is_local(flows["origin"].map(countries["region"]), d["region"]),
            "allied": is_allied(flows["origin"], flows["origin"].map(countries["bloc"]), d["country"],
                                d["bloc"])}
    out: dict[frozenset[str], tuple[str, bool]] = {}
    kinds: list[tuple[str, np.ndarray, np.ndarray]] = []
    if policy.shortfall_penalty is None:
        kinds.append(("demand", np.ones(len(dem)), np.ones(len(flows), dtype=bool)))
    for field, what in MIN_SHARES.items():
        if getattr(policy, field) is not None:
            kinds.append((what, policy.per_market_product(field, dem["region"], dem["product"]),
                          flag[what]))
    for what, share, ok in kinds:
        hubs = flows.loc[ok].groupby("_demand")["hub"].agg(frozenset)
        for i, r in dem.iterrows():
            if not share[i] > 0 or i not in hubs.index:
                continue
            where = market_product(r["market"], r["product"])
            words = (f"{where} can only be supplied" if what == "demand" else
                     f"{where} can only get its {percent(share[i])} {what} units "
                     f"({number(share[i] * r['demand'])})")
            out.setdefault(hubs[i], (words, False))
    failures = single_failures(s, tuple(k for k in policy.survive if k in ("hub", "country")))
    if len(failures):
        beta = policy.per_market_product("service_level", dem["region"], dem["product"], default=1.0)
        hubs = flows.groupby("_demand")["hub"].agg(frozenset)
        hub_country = dict(zip(s.hubs["hub"], s.hubs["country"], strict=True))
        rows = [(hubs[i], m, p) for i, m, p in zip(dem.index, dem["market"], dem["product"], strict=True)
                if beta[i] > 0 and i in hubs.index]
        for f in failures.itertuples():
            for serving, m, p in rows:
                left = frozenset(h for h in serving if f.element not in (h, hub_country[h]))
                if left and left != serving:
                    out.setdefault(left, (f"after losing {f.kind} '{f.element}', {market_product(m, p)} can "
                                          "only be supplied", True))
    return [(hubs, words, survive) for hubs, (words, survive) in out.items()]


def _min_cover(sets: list[frozenset[str]], forced: set[str]) -> int | None:
    """The fewest hubs that meet every set of ``sets`` (one hub of each), ``forced`` included."""
    import scipy.sparse as sp

    hubs = sorted(set().union(*sets) | forced)
    at = {h: i for i, h in enumerate(hubs)}
    rows = np.concatenate([np.full(len(x), j) for j, x in enumerate(sets)] or [np.zeros(0, int)])
    cols = np.array([at[h] for x in sets for h in sorted(x)], dtype=int)
    a = sp.csc_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(sets), len(hubs)))
    h = timed_highs()
    pass_matrix(h, a, np.ones(len(hubs)), np.array([1.0 if x in forced else 0.0 for x in hubs]),
                np.ones(len(hubs)), np.ones(len(sets)), np.full(len(sets), np.inf),
                np.ones(len(hubs), dtype=bool))
    result = in_time(run_highs(h, True))
    return round(result.objective) if result.status is Status.OPTIMAL else None


def _hubs_text(hubs: frozenset[str]) -> str:
    names = sorted(hubs)
    return f"hub {names[0]}" if len(names) == 1 else f"hubs {and_list(names, 'or')}"


def _cover(model: NetworkModel) -> tuple[float, list[str]]:
    """max_hubs against the hubs that markets can only be reached through, and the hubs it asks
    for: the fewest hubs that reach every market and product (and every min share, and with
    survive every market after each loss of a hub or country) is a whole-number bound that no
    plan can beat; the markets named are a smallest set that already needs that many."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    reqs = _hub_requirements(s, policy) if k is not None else []
    if not reqs:
        return 0, []
    forced = set(s.hubs.loc[s.hubs["status"] == "open", "hub"])
    least = _min_cover([r for r, _, _ in reqs], forced)
    if least is None or least <= k:
        return 0, []
    reqs.sort(key=lambda r: (len(r[0]), r[2], sorted(r[0])))
    need = lambda part: (_min_cover([r for r, _, _ in part], forced) or 0) >= least  # noqa: E731
    lo, hi = 1, len(reqs)  # the shortest prefix that needs as many hubs as all of them
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if need(reqs[:mid]) else (mid + 1, hi)
    witness = reqs[:lo]
    for item in list(witness):  # drop what is not needed to show it
        if len(witness) > 1 and need([w for w in witness if w is not item]):
            witness = [w for w in witness if w is not item]
    parts = [f"{words} through {_hubs_text(hubs)}" for hubs, words, _ in witness]
    survive = any(w[2] for w in witness)
    head = (cannot_text([f"max_hubs {k}", field_text(policy, "survive")]) if survive
            else f"max_hubs {k} is too few")
    forced_text = f" (counting {and_list(sorted(forced))}, which must stay open)" if forced else ""
    every = survive and least >= len(s.hubs_table) and not _survives_every_hub_open(model)
    return least, [f"{head}: {and_list(parts)}, so at least {least} hubs must be open{forced_text}; to "
                   f"resolve it: raise max_hubs to at least {least}" + (", relax survive" if survive else "")
                   + " or add lanes from other hubs to these markets"
                   + ("; with every hub open, the hubs' capacities still leave a loss short: add hub "
                      "capacity or lower service_level too" if every else "")]


def _survives_every_hub_open(model: NetworkModel) -> bool:
    """Whether the LP relaxation meets survive with max_hubs and min_hubs dropped (True when the
    model holds no failure copies to tell): a count that asks for every hub may still leave a
    loss short on the hubs' capacities (remedies audit: advised 8 hubs of 8, the next run short)."""
    whole = with_copies(model)
    block = whole.lm.constraints.get("survive_demand") if whole is not None else None
    if block is None:
        return True
    rows = block.start + np.arange(block.size)
    result = solve_lp(whole, free=family_rows(whole, ["hub_count"]), elastic=rows)  # type: ignore[arg-type]
    return result is None or result[0] <= float(np.asarray(block.lower, float).sum()) * TOL


def explain_hubs(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """max_hubs against the hubs that markets can only be reached through, else against the
    units that so few hubs can deliver."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    if k is None:
        return []
    cover = fewest_hubs(model)
    if cover or policy.shortfall_penalty is not None:
        return cover
    total = demand_total(model)
    demand_rows = family_rows(model, ["demand"])
    unrelated = unrelated_rows(model, iis)
    result = solve_lp(model, free=unrelated, elastic=demand_rows)
    if result is None and policy.single_sourcing:  # a hub per market even with nothing delivered: left out,
        assign = [f for f in model.lm.constraints if f == "single_source" or f.startswith("assign_")]
        unrelated = np.concatenate([unrelated, family_rows(model, assign)])  # a bound still valid
        result = solve_lp(model, free=unrelated, elastic=demand_rows)
    if result is None:
        return []
    # hubs opened whole: the LP opens a fraction of each and counts that fraction of its capacity
    # (four hubs where only one of the two able to serve Asia fits: 1,394 short by the LP, at least
    # 4,730 with whole hubs, and one unit short by the LP read 'no amount' before)
    whole = least_whole(model, free=unrelated, elastic=demand_rows)
    short = max(result[0], whole.bound if whole else 0.0)
    if short <= total * TOL:
        return []
    hub_rows = family_rows(model, ["hub_count"])
    if result[0] > total * TOL and not easing(model, ["hub_count"], result[0], unrelated, demand_rows):
        return []  # as short with any number of hubs: another field's, explained by the next words
    if result[0] <= total * TOL:  # (the same, with whole hubs: a second MIP, only then)
        without = least_whole(model, free=np.concatenate([hub_rows, unrelated]), elastic=demand_rows)
        if (without.bound if without else 0.0) >= short * (1 - TOL):
            return []
    others = easing(model, policy_fields(iis, leave=("hub_count",)), result[0], unrelated, demand_rows)
    fields = [field_text(policy, "hub_count"), *(field_text(policy, f) for f in others)]
    text = (f"{cannot_text(fields)}: with at most {count(k, 'hub')} open"
            + (f" and {and_list([field_text(policy, f) for f in others])}" if others else "")
            + f", the hubs' capacities and lanes let at most {number(total - short)} of the "
            f"{number(total)} {units_of(list(dict.fromkeys(s.demand['product'])), model.network)} "
            "markets need be delivered "
            f"(at least {number(short)} short)")
    left: list[str] = []
    if whole is not None and whole.slack is not None:  # where a plan short by the least leaves it
        labels = family_labels(model, "demand")
        left = list(dict.fromkeys(labels.loc[whole.slack > TOL * np.maximum(1.0, total), "market"]))
        if left:
            text += (f"; a plan short by that least leaves {'market' if len(left) == 1 else 'markets'} "
                     + and_first([f"'{m}'" for m in left], 6) + " short")
    if others:
        relaxed = family_rows(model, [f for f in model.lm.constraints if field_of(f) in others])
        without = solve_lp(model, free=np.concatenate([relaxed, unrelated]), elastic=demand_rows)
        if without is not None and without[0] > total * TOL:
            text += (f"; even without {and_list(field_names(policy, others))} at most "
                     f"{number(total - without[0])}")
    if "hub_capacity" in iis:
        caps = s.hubs.set_index("hub")["capacity"]
        hubs = [f"{h} ({number(caps[h])} {capacity_units(model.network)})"
                for h in iis["hub_capacity"]["hub"][:MAX_REASONS]]
        text += f"; hub capacities involved: {', '.join(hubs)}"
    fixes = ["raise max_hubs", "add hub capacity", *(["add lanes to these markets from other hubs"] if left
                                                     else [])]
    return [f"{text}; to resolve it: {and_list(fixes, 'or')}"]


def single_source_fit(model: NetworkModel) -> list[str]:
    """With single_sourcing (and no shortfall penalty) each market takes all its products from
    one hub: a market wanting more than the largest hub that serves all its products holds has
    no plan, one line per such market."""
    s, policy = model.sets, model.policy
    if not policy.single_sourcing or policy.shortfall_penalty is not None:
        return []
    served = s.flows[["hub", "market", "product"]].drop_duplicates()
    wants = s.demand.groupby("market", sort=False).agg(units=("demand", "sum"),
                                                        products=("product", "nunique"))
    count = served.groupby(["market", "hub"]).size().rename("n").reset_index()
    whole = count[count["n"].to_numpy() == wants["products"].reindex(count["market"]).to_numpy()]
    largest = whole.assign(capacity=whole["hub"].map(s.hubs.set_index("hub")["capacity"])).groupby(
        "market")["capacity"].max().reindex(wants.index).fillna(0.0)
    out = []
    for market, row in wants.iterrows():
        if falls_short(float(largest[market]), float(row["units"])):
            products = list(s.demand.loc[s.demand["market"] == market, "product"])
            missing = number(row["units"] - largest[market])
            out.append(f"single_sourcing cannot be met for market '{market}': it takes its "
                       f"{number(row['units'])} {units_of(products, model.network)} from one hub, and the "
                       "largest hub that "
                       f"serves all of them holds {number(largest[market])} (missing {missing}); to resolve "
                       "it: add capacity to a hub that serves it, or drop single_sourcing")
    return limit_reasons(out, "markets")


#: a least-capacity bound HiGHS proves, relative to the demand, below which it is round-off
PROVEN_TOL = 1e-9


def single_source_packing(model: NetworkModel) -> list[str]:
    """single_sourcing where each market fits a hub but the markets do not fit the hubs whole:
    the least hub capacity every plan lacks (:func:`.lp.least_whole`: the hubs' capacities
    elastic, each market assigned whole), as hub capacity counts units."""
    s = model.sets
    rows = family_rows(model, ["assign_capacity"])
    whole = least_whole(model, free=family_rows(model, ["hub_capacity"]), elastic=rows)
    total = demand_total(model)
    # the bound HiGHS proves holds whatever its size: 0.1 of 174,060 units short fell under TOL and
    # got the words of no hub or amount
    if whole is None or whole.bound <= total * PROVEN_TOL:
        return []
    units = units_of(list(dict.fromkeys(s.demand["product"])), model.network)
    where = ""
    if whole.slack is not None:  # the hubs a plan needing the least more capacity overfills
        over = family_labels(model, "assign_capacity").assign(over=whole.slack)
        over = over.loc[over["over"] > PROVEN_TOL * total]
        shown = [f"hub '{r.hub}' {number(r.over)} over" for r in over.itertuples()]
        where = f" (a plan needing that least: {and_list(shown)})" if shown else ""
    return [f"single_sourcing cannot be met: each market takes all its products from one hub, and the "
            f"markets' demands do not fit whole into the hubs able to take them: every plan needs "
            f"{number(whole.bound)} or more {units} of hub capacity beyond what the hubs have{where} (a "
            "market cannot be split between hubs); to resolve it: add hub capacity where markets can reach "
            "it, or drop single_sourcing"]
