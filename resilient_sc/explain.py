"""Why a policy cannot be met, in a planner's terms.

Two layers: :func:`precheck` tests fast necessary conditions before the model is built
(capacity per product, region, bloc and country; enough suppliers; markets that every
allowed lane to is excluded) and :func:`explain_infeasibility` takes HiGHS's irreducible
infeasible subset (IIS) of the LP relaxation when the precheck passes and turns it into the
planner's sentences of :func:`explain_iis`: the policy fields in conflict, the markets and
products, and the units needed against the units the data allow (shares and caps market by
market in closed form; CO2 caps, hub counts and N-1 survival by small LPs and a hub cover),
with the rows themselves only in a last detail line for experts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .exceptions import InfeasiblePolicyError
from .solvers.base import SolveOptions, Status
from .solvers.highs import make_highs, new_highs, pass_matrix, run_highs

if TYPE_CHECKING:
    import highspy

    from .model.build import NetworkModel
    from .model.sets import Sets
    from .policy import Policy

#: at most this many reasons of one kind are listed
MAX_REASONS = 8


def _n(x: float) -> str:
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"


def reach(s: Sets) -> pd.DataFrame:
    """Supplier -> (market, product) pairs that some hub connects: supplier, country, market,
    product, capacity (the supplier's capacity for the product, units)."""
    pairs = s.inbound[["supplier", "hub", "product", "country"]].merge(
        s.outbound[["hub", "market", "product"]], on=["hub", "product"])
    pairs = pairs.drop_duplicates(["supplier", "market", "product"])
    return pairs.merge(s.supply[["supplier", "product", "capacity"]], on=["supplier", "product"])[
        ["supplier", "country", "market", "product", "capacity"]]


def precheck(s: Sets, policy: Policy) -> None:
    """Raise :class:`InfeasiblePolicyError` when a necessary condition for a plan fails."""
    reasons = (_check_open(s) + _check_served(s, policy) + _check_suppliers(s, policy)
               + _check_min_shares(s, policy) + _check_country_share(s, policy)
               + _check_survive(s, policy) + _check_hubs(s, policy))
    if reasons:
        raise InfeasiblePolicyError(reasons)


def _limit(reasons: list[str], what: str) -> list[str]:
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


def _check_served(s: Sets, policy: Policy) -> list[str]:
    if policy.shortfall_penalty is not None:
        return []
    out = []
    served = np.zeros(len(s.demand_table), dtype=bool)
    served[s.flows_table["_demand"]] = True
    if not served.all():
        blocked = ", ".join(sorted(set(s.removed_hubs["hub"]) | set(s.removed_suppliers["supplier"])))
        for _, r in s.demand.loc[~served].iterrows():
            out.append(f"demand: market '{r['market']}' (product '{r['product']}') cannot be served: "
                       f"no usable supplier reaches it through a usable hub"
                       + (f" (removed by exclusions or status closed: {blocked})" if blocked else ""))
    products = pd.Index(s.products_table["product"])
    usable = np.isin(s.supply_table["_supplier"], s.inbound_table["_supplier"])
    cap = np.bincount(products.get_indexer(s.supply_table["product"])[usable],
                      s.supply_table["capacity"][usable], minlength=len(products))
    for i in np.argsort(products.to_numpy(str), kind="stable"):
        p, need, have = products[i], float(s.products_table["total_demand"][i]), float(cap[i])
        if have < need - 1e-9:
            out.append(f"demand: product '{p}': usable suppliers can make at most {_n(have)} units "
                       f"but markets need {_n(need)} (missing {_n(need - have)} units of capacity); "
                       "add capacity, lift exclusions, or set shortfall_penalty")
    return _limit(out, "markets")


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
                out.append(f"min_suppliers {kp:g} cannot be met for product '{p}': only {len(ids)} "
                           f"supplier(s) can deliver it ({', '.join(ids) or 'none'})")
    if policy.max_supplier_share is not None:
        sigma = policy.per_product("max_supplier_share", products["product"])
        caps = able.merge(s.supply, on=["supplier", "product"])
        total = s.products.set_index("product")["total_demand"]
        for p, sg in zip(products["product"], sigma, strict=True):
            if np.isnan(sg):
                continue
            need = float(total[p])
            have = float(np.minimum(caps.loc[caps["product"] == p, "capacity"], sg * need).sum())
            if have < need - 1e-9:
                out.append(f"max_supplier_share {sg:g} cannot be met for product '{p}': with each "
                           f"supplier capped at {_n(sg * need)} units the suppliers deliver at most "
                           f"{_n(have)} of the {_n(need)} needed; more suppliers are required")
    return out


def _check_min_shares(s: Sets, policy: Policy) -> list[str]:
    out: list[str] = []
    fields = [f for f in ("min_local_share", "min_allied_share") if getattr(policy, f) is not None]
    if not fields:
        return out
    r = reach(s)
    countries = s.countries.set_index("country")
    for field in fields:
        share = policy.per_market_product(field, s.demand["region"], s.demand["product"])
        dem = s.demand.assign(share=share).loc[~np.isnan(share) & (share > 0)]
        rr = r.merge(dem[["market", "product", "country", "region", "bloc", "share", "demand"]],
                     on=["market", "product"], suffixes=("", "_m"))
        if field == "min_local_share":
            ok = rr["country"].map(countries["region"]) == rr["region"]
            group = lambda row: f"suppliers in region {row['region']}"  # noqa: E731
        else:
            ok = (rr["country"] == rr["country_m"]) | (
                (rr["country"].map(countries["bloc"]) == rr["bloc"]) & (rr["bloc"] != ""))
            group = lambda row: ("allied suppliers (country " + row["country"]  # noqa: E731
                                 + (f", bloc {row['bloc']})" if row["bloc"] else ")"))
        have = rr.loc[ok].groupby(["market", "product"])["capacity"].sum()
        for _, row in dem.iterrows():
            cap = float(have.get((row["market"], row["product"]), 0.0))
            need = row["share"] * row["demand"]
            if cap < need - 1e-9:
                out.append(
                    f"{field} {row['share']:g} cannot be met for market '{row['market']}' (product "
                    f"'{row['product']}'): {group(row)} can deliver at most {_n(cap)} of the "
                    f"{_n(row['demand'])} units needed ({cap / row['demand']:.0%} of demand, "
                    f"{row['share']:.0%} required; missing {_n(need - cap)} units)")
        if field == "min_local_share":
            out += _regional_totals(s, rr.loc[ok], dem, field)
    return _limit(out, "markets")


def _regional_totals(s: Sets, local: pd.DataFrame, dem: pd.DataFrame, field: str) -> list[str]:
    """A region's local suppliers must cover the local share of all its markets together."""
    out = []
    need = (dem["share"] * dem["demand"]).groupby([dem["region"], dem["product"]]).sum()
    caps = local.drop_duplicates(["supplier", "product", "region"]).groupby(
        ["region", "product"])["capacity"].sum()
    for (region, product), n in need.items():
        have = float(caps.get((region, product), 0.0))
        if have < n - 1e-9:
            out.append(f"{field}: the markets of region {region} need {_n(n)} local units of product "
                       f"'{product}' together, but suppliers in {region} can make at most {_n(have)} "
                       f"(missing {_n(n - have)} units)")
    return out


def _check_country_share(s: Sets, policy: Policy) -> list[str]:
    if policy.max_country_share is None:
        return []
    out = []
    kappa = policy.per_market_product("max_country_share", s.demand["region"], s.demand["product"])
    dem = s.demand.assign(kappa=kappa).loc[~np.isnan(kappa)]
    by_country = reach(s).groupby(["market", "product", "country"], as_index=False)["capacity"].sum()
    by_country = by_country.merge(dem[["market", "product", "demand", "kappa", "country"]],
                                  on=["market", "product"], suffixes=("", "_m"))
    foreign = by_country["country"] != by_country["country_m"]
    by_country["usable"] = np.where(foreign, np.minimum(by_country["capacity"],
                                                        by_country["kappa"] * by_country["demand"]),
                                    np.minimum(by_country["capacity"], by_country["demand"]))
    usable = by_country.groupby(["market", "product"])["usable"].sum()
    for _, row in dem.iterrows():
        have = float(usable.get((row["market"], row["product"]), 0.0))
        if have < row["demand"] - 1e-9:
            n_c = int((by_country["market"] == row["market"]).sum())
            out.append(f"max_country_share {row['kappa']:g} cannot be met for market '{row['market']}' "
                       f"(product '{row['product']}'): with each foreign country capped at "
                       f"{_n(row['kappa'] * row['demand'])} units, the {n_c} origin countries that reach "
                       f"it deliver at most {_n(have)} of the {_n(row['demand'])} units needed")
    return _limit(out, "markets")


def _check_survive(s: Sets, policy: Policy) -> list[str]:
    if not policy.survive:
        return []
    from .model.redundancy import single_failures, surviving_inbound

    out = []
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = (beta * s.demand["demand"]).groupby(s.demand["product"]).sum()
    required = pd.MultiIndex.from_frame(s.demand.loc[beta > 0, ["market", "product"]])
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
    r = reach(s) if "supplier" in policy.survive else None
    for i, (_, f) in enumerate(failures.iterrows()):
        what = {"supplier": f"losing supplier '{f['element']}'", "hub": f"losing hub '{f['element']}'",
                "country": f"losing country '{f['element']}' (every supplier and hub there)"}[f["kind"]]
        for j, (p, n) in enumerate(need.items()):
            have = float(cap[i, j])
            if have < n - 1e-9:
                out.append(f"survive {f['kind']}: {what} leaves product '{p}' with at most {_n(have)} "
                           f"units of usable capacity, below the {_n(n)} units the service level "
                           f"requires (missing {_n(n - have)} units)")
        if f["kind"] == "supplier" and r is not None:
            lost_pairs = r.loc[r["supplier"] == f["element"], ["market", "product"]]
            lost_pairs = lost_pairs.loc[pd.MultiIndex.from_frame(lost_pairs).isin(required)]
            still = r.loc[r["supplier"] != f["element"], ["market", "product"]]
            cut = lost_pairs.merge(still.drop_duplicates(), how="left", indicator=True)
            for _, row in cut.loc[cut["_merge"] == "left_only"].drop_duplicates().iterrows():
                out.append(f"survive supplier: {what} cuts market '{row['market']}' off from product "
                           f"'{row['product']}' (no other supplier reaches it)")
    return _limit(out, "failures")


def _check_hubs(s: Sets, policy: Policy) -> list[str]:
    out = []
    n = len(np.unique(s.inbound_table["_hub"]))  # hubs that can receive
    if policy.min_hubs is not None and policy.min_hubs > len(s.hubs_table):
        out.append(f"min_hubs {policy.min_hubs} cannot be met: only {len(s.hubs_table)} usable hubs exist")
    if policy.max_hubs is not None and policy.max_hubs < int((s.hubs["status"] == "open").sum()):
        out.append(f"max_hubs {policy.max_hubs} cannot be met: "
                   f"{int((s.hubs['status'] == 'open').sum())} hubs have status open")
    if policy.max_hubs is not None and policy.shortfall_penalty is None and n:
        top = np.sort(s.hubs_table["capacity"])[::-1][:policy.max_hubs].sum()
        need = float(s.demand["demand"].sum())
        if top < need - 1e-9:
            out.append(f"max_hubs {policy.max_hubs} cannot be met: the {policy.max_hubs} largest usable "
                       f"hubs handle at most {_n(top)} units but markets need {_n(need)}")
    if policy.single_sourcing:
        need = s.demand.groupby("market")["product"].nunique()
        serve = s.outbound.groupby(["hub", "market"])["product"].nunique().reset_index()
        serve = serve.loc[serve["product"] == serve["market"].map(need)]
        for m in sorted(set(need.index) - set(serve["market"])):
            out.append(f"single_sourcing cannot be met for market '{m}': no single hub has lanes "
                       "to it for all of its products")
    return out


def explain_infeasibility(model: NetworkModel, h: highspy.Highs) -> list[str]:
    """Reasons why ``model`` has no feasible plan, in a planner's terms.

    HiGHS's irreducible infeasible subset (IIS) of the LP relaxation names the rows in
    conflict; :func:`explain_iis` turns them into sentences with the quantities involved and
    ends with the rows themselves as a detail line for experts.
    """
    import highspy

    lp = make_highs(model.lm, SolveOptions())
    lp.setOptionValue("iis_strategy", 2)  # from the LP solve; the light default often finds none
    n = model.lm.n_cols
    lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                             np.zeros(n, dtype=np.uint8))
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kInfeasible:  # whole numbers decide
        lines = _hubs_cover(model) or _survive_hubs_capacity(model)
        if lines:
            return lines
        return ["no plan meets the policy, although one would if suppliers and hubs could be partly "
                "contracted or opened: the conflict comes from whole-unit decisions (single sourcing, "
                "hub counts, min_suppliers with too few affordable suppliers); relax one of them"]
    try:
        _, iis = lp.getIis()
        rows = list(iis.row_index_)
    except Exception:  # older highspy versions lack getIis
        rows = []
    if not rows:
        return ["no plan meets the data and policy (HiGHS proves it but names no conflicting "
                "requirements)"]
    return explain_iis(model, iis_rows(model, rows))


def iis_rows(model: NetworkModel, rows: list[int] | np.ndarray) -> dict[str, pd.DataFrame]:
    """The rows ``rows`` (global row numbers) by constraint family: each family's row labels
    (market, product, ...) and ``_row``, the global row number, in row order."""
    from .model.table import Table

    rows = np.unique(np.asarray(rows, dtype=np.int64))
    out: dict[str, pd.DataFrame] = {}
    for b in model.lm.constraints.values():
        mine = rows[(rows >= b.start) & (rows < b.start + b.size)]
        if len(mine):
            local = mine - b.start
            labels = (b.labels.frame(local) if isinstance(b.labels, Table)
                      else b.index.iloc[local].reset_index(drop=True))
            out[b.name] = labels.assign(_row=mine)
    return out


# ---- explanations of a conflict ---------------------------------------------------------------
#: the share requirements and caps, explained market by market
_SHARES = ("min_local_share", "min_allied_share", "max_country_share", "max_supplier_share")
#: rows that only keep the books (flow balances, links); never named to a planner
_INTERNAL = ("origin_balance", "hub_link", "assign_flow", "assign_open")
#: relative tolerance of the comparisons of units
_TOL = 1e-6


def explain_iis(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Planner's sentences for a set of rows in conflict (family -> labels and ``_row``, as
    from :func:`iis_rows`): which policy fields, which markets and products, and the units
    needed against the units the data and the rest of the policy allow; the last line lists
    the rows for experts.

    Each quantity is derived from the data: shares and caps market by market in closed form;
    a CO2 cap, hub counts and N-1 survival by small linear programs over the model, whose
    bounds are valid for every plan (an LP bound never promises more than a plan can do).
    """
    families = set(iis)
    lines: list[str] = []
    if families & set(_SHARES):
        lines = _market_conflicts(model, iis)
    if not lines and "co2_cap" in families:
        lines = _explain_co2(model, iis)
    if not lines and any(f.startswith("survive_") for f in families):
        lines = _explain_survive(model, iis)
    if not lines and "hub_count" in families:
        lines = _explain_hubs(model, iis)
    if not lines and families & set(_SHARES):
        lines = _explain_shares_together(model, iis)
    if not lines:
        lines = _explain_plainly(model, iis)
    return [*lines, *summarise_iis({f: _labels(df) for f, df in iis.items()})]


# ---- wording ----------------------------------------------------------------------------------
def _pct(x: float) -> str:
    """A share as a percentage: whole percents when exact, else one decimal."""
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-6 else f"{x:.1%}"


def _and(items: list[str], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _cannot(fields: list[str]) -> str:
    """``X cannot be met`` / ``X and Y cannot both hold`` / ``X, Y and Z cannot all hold``."""
    if len(fields) == 1:
        return f"{fields[0]} cannot be met"
    return f"{_and(fields)} cannot {'both' if len(fields) == 2 else 'all'} hold"


def _labels(df: pd.DataFrame) -> list[str]:
    """``market/product/...`` for each row of ``df`` (labels and ``_row``)."""
    columns = [c for c in df.columns if c != "_row"]
    if not columns:
        return [""] * len(df)
    out = df[columns[0]].astype(str)
    for c in columns[1:]:
        out = out + "/" + df[c].astype(str)
    return out.tolist()


def _label(row: pd.Series) -> str:
    return "/".join(str(v) for k, v in row.items() if k != "_row")


def _value(value: object) -> str:
    """A policy value as written: ``0.3`` or ``{Europe: 0.6, chips: 0.3}``."""
    from collections.abc import Mapping

    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v:g}" for k, v in value.items()) + "}"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _field_of(family: str) -> str | None:
    """The policy field behind a constraint family (None: data, not policy)."""
    if family.startswith("survive_"):
        return "survive"
    return {"co2_cap": "co2_cap", "hub_count": "hub_count", "single_source": "single_sourcing",
            "assign_capacity": "single_sourcing", "min_suppliers": "min_suppliers",
            **{f: f for f in _SHARES}}.get(family)


def _field_text(policy: Policy, field: str) -> str:
    """A policy field with its value, as the planner wrote it."""
    if field == "hub_count":
        return " and ".join(f"{k} {getattr(policy, k)}" for k in ("min_hubs", "max_hubs")
                            if getattr(policy, k) is not None)
    if field == "survive":
        text = f"survive {'/'.join(policy.survive)}"
        return text + (f" (service_level {_value(policy.service_level)})"
                       if policy.service_level is not None else "")
    if field == "single_sourcing":
        return "single_sourcing"
    return f"{field} {_value(getattr(policy, field))}"


#: the order in which policy fields are named: requirements first, then caps
_ORDER = ("min_local_share", "min_allied_share", "co2_cap", "survive", "hub_count", "single_sourcing",
          "min_suppliers", "max_country_share", "max_supplier_share")


def _policy_fields(iis: dict[str, pd.DataFrame], leave: tuple[str, ...] = ()) -> list[str]:
    """The policy fields whose rows are in the conflict, requirements first, without ``leave``."""
    fields = {_field_of(family) for family in iis} - {None, *leave}
    return sorted(fields, key=lambda f: _ORDER.index(f) if f in _ORDER else len(_ORDER))  # type: ignore


def _names(policy: Policy, fields: list[str]) -> list[str]:
    """The bare names of policy fields (``hub_count`` is min_hubs and/or max_hubs)."""
    out = []
    for f in fields:
        out += ([k for k in ("min_hubs", "max_hubs") if getattr(policy, k) is not None]
                if f == "hub_count" else [f])
    return out


def _failure(name: str) -> str:
    """``hub:H1`` -> ``hub 'H1'``."""
    kind, _, element = str(name).partition(":")
    return f"{kind} '{element}'"


def _failures(names: list[str]) -> str:
    """``hub:H1``, ``hub:H2``, ``country:CN`` -> ``hubs 'H1' or 'H2' or country 'CN'``."""
    by_kind: dict[str, list[str]] = {}
    for name in names:
        kind, _, element = str(name).partition(":")
        by_kind.setdefault(kind, []).append(f"'{element}'")
    parts = []
    for kind, elements in by_kind.items():
        shown = elements[:6] + ([f"{len(elements) - 6} more"] if len(elements) > 6 else [])
        plural = {"country": "countries"}.get(kind, kind + "s") if len(elements) > 1 else kind
        parts.append(f"{plural} {_and(shown, 'or')}")
    return _and(parts, "or")


def _mp(market: object, product: object) -> str:
    return f"market '{market}' (product '{product}')"


# ---- shares and caps, market by market (closed form) ---------------------------------------
def _country_limits(s: Sets, policy: Policy) -> pd.DataFrame:
    """Per (market, product, origin country that reaches it): what that country's suppliers
    can deliver to the market on their own. ``avail``: their capacity, each supplier capped at
    the product's total demand and at max_supplier_share; ``cap``: the max_country_share cap
    (inf for the market's own country or without the field); ``limit``: the smaller. Also the
    market's demand, country, region, bloc, kappa and the flags local and allied."""
    r = reach(s)
    total = pd.Series(s.products_table["total_demand"], index=s.products_table["product"])
    t = r["product"].map(total).to_numpy(float)
    sigma_cap = policy.per_product("max_supplier_share", r["product"]) * t
    own = np.minimum(r["capacity"].to_numpy(float), t)
    r = r.assign(avail=np.fmin(own, sigma_cap), by_sigma=sigma_cap < own * (1 - _TOL))
    c = r.groupby(["market", "product", "country"], as_index=False).agg(
        avail=("avail", "sum"), n=("supplier", "size"), by_sigma=("by_sigma", "any"))
    kappa = policy.per_market_product("max_country_share", s.demand["region"], s.demand["product"])
    dem = s.demand.assign(kappa=kappa)[["market", "product", "demand", "country", "region", "bloc", "kappa"]]
    c = c.merge(dem, on=["market", "product"], suffixes=("", "_m"))
    countries = s.countries.set_index("country")
    foreign = (c["country"] != c["country_m"]).to_numpy()
    cap = np.where(foreign & c["kappa"].notna().to_numpy(), c["kappa"] * c["demand"], np.inf)
    c["cap"] = cap
    c["limit"] = np.minimum(c["avail"], cap)
    c["by_kappa"] = cap < c["avail"] * (1 - _TOL)
    c["by_sigma"] = c["by_sigma"] & ~c["by_kappa"]  # named only where it is what limits the country
    c["local"] = (c["country"].map(countries["region"]) == c["region"]).to_numpy()
    same_bloc = (c["country"].map(countries["bloc"]) == c["bloc"]) & (c["bloc"] != "")
    c["allied"] = ~foreign | same_bloc.to_numpy()
    return c


def _market_conflicts(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
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
    reqs: list[tuple[str, np.ndarray, str]] = [("demand", np.ones(len(dem)), "all")]
    for field, flag in (("min_local_share", "local"), ("min_allied_share", "allied")):
        if getattr(policy, field) is not None:
            reqs.append((field, policy.per_market_product(field, dem["region"], dem["product"]), flag))
    found: list[tuple[bool, str, str, int, int]] = []  # (not in the IIS, market, product, req, row)
    for j, (_, share, flag) in enumerate(reqs):
        sub = c if flag == "all" else c.loc[c[flag]]
        have = sub.groupby(["market", "product"])["limit"].sum()
        have = have.reindex(pd.MultiIndex.from_frame(dem[["market", "product"]]), fill_value=0.0).to_numpy()
        d = dem["demand"].to_numpy(float)
        bad = np.flatnonzero((share > 0) & (np.minimum(have, d) < share * d * (1 - _TOL)))
        found += [(not in_iis[i], str(dem["market"].iat[i]), str(dem["product"].iat[i]), j, i) for i in bad]
    found.sort()
    out = []
    for *_, j, i in found[:MAX_REASONS]:
        field, share, flag = reqs[j]
        row = dem.iloc[i]
        sub = c if flag == "all" else c.loc[c[flag]]
        rows = sub.loc[(sub["market"] == row["market"]) & (sub["product"] == row["product"])]
        out.append(_market_sentence(policy, field, float(share[i]), row, rows, flag,
                                    float(totals[row["product"]])))
    rest = [f"'{m}' ('{p}')" for _, m, p, _, _ in found[MAX_REASONS:]]
    if rest:
        shown = rest[:20] + ([f"{len(rest) - 20} more"] if len(rest) > 20 else [])
        out.append(f"the same kind of conflict also holds for market (product) {_and(shown)}")
    return out


def _market_sentence(policy: Policy, field: str, share: float, row: pd.Series, rows: pd.DataFrame,
                     flag: str, total: float) -> str:
    """One market's conflict: the fields, the units needed and what each country can give."""
    d, need = float(row["demand"]), share * float(row["demand"])
    have = min(float(rows["limit"].sum()), d)
    rows = rows.sort_values(["limit", "country"], ascending=[False, True])
    kappa = float(rows["kappa"].iloc[0]) if len(rows) else float("nan")
    sigma = float(policy.per_product("max_supplier_share", pd.Series([row["product"]]))[0])
    fields = [] if field == "demand" else [f"{field} {share:g}"]
    if rows["by_kappa"].any():
        fields.append(f"max_country_share {kappa:g}")
    if rows["by_sigma"].any():
        fields.append(f"max_supplier_share {sigma:g}")
    parts = []
    for _, r in rows.iterrows():
        if r["by_kappa"]:
            parts.append(f"{r['country']} (capped at {_pct(kappa)} = {_n(r['cap'])} units)")
        elif r["by_sigma"]:
            parts.append(f"{r['country']} ({_n(r['avail'])} units: max_supplier_share {sigma:g} limits "
                         f"each supplier to {_n(sigma * total)} units)")
        elif r["country"] == row["country"] and not np.isnan(kappa):
            parts.append(f"{r['country']} (its own country, not capped; capacity {_n(r['avail'])} units)")
        else:
            parts.append(f"{r['country']} (capacity {_n(r['avail'])} units)")
    excluded = (f" (excluded_countries {', '.join(policy.excluded_countries)} left out)"
                if policy.excluded_countries else "")
    where = {"local": f"region {row['region']}",
             "allied": f"allied countries ({row['country']}" + (f" and bloc {row['bloc']})" if row["bloc"]
                                                               else ", no bloc)"),
             "all": "anywhere"}[flag]
    if field == "demand":
        head = (f"market '{row['market']}' (product '{row['product']}') cannot get all its {_n(d)} units"
                if len(fields) == 0 else f"{_cannot(fields)} for {_mp(row['market'], row['product'])}")
        body = f"its {_n(d)} units must come from suppliers able to reach it{excluded}, which are in "
    else:
        head = f"{_cannot(fields)} for {_mp(row['market'], row['product'])}"
        body = (f"{_pct(share)} of its {_n(d)} units ({_n(need)}) must come from {where}, whose only "
                f"suppliers able to reach it{excluded} are in ")
    text = f"{head}: " + (body + f"{_and(parts)}, i.e. at most {_n(have)} units ({_pct(have / d)})"
                          if parts else body.split(", whose only")[0].split(", which are in")[0]
                          + ", but no supplier there can reach it")
    fixes = []
    if field != "demand":
        fixes.append(f"lower {field} to at most {np.floor(have / d * 100 + 1e-9) / 100:g} for it")
    if rows["by_kappa"].any():
        k = _least_kappa(rows, d, need)
        if k is not None:
            fixes.append(f"raise max_country_share to at least {k:g}")
    if rows["by_sigma"].any():
        fixes.append("raise max_supplier_share")
    fixes.append("add capacity" + ("" if flag == "all" else f" in {where}") + " that reaches it")
    return f"{text}; to resolve it: {_and(fixes, 'or')}"


def _least_kappa(rows: pd.DataFrame, d: float, need: float) -> float | None:
    """The least max_country_share (rounded up to two decimals) with which the countries in
    ``rows`` could deliver ``need`` of the market's ``d`` units; None if not even 1 would."""
    capped = np.isfinite(rows["cap"].to_numpy(float))
    avail = rows["avail"].to_numpy(float)

    def have(k: float) -> float:
        return float(np.where(capped, np.minimum(avail, k * d), avail).sum())

    if have(1.0) < need * (1 - _TOL):
        return None
    lo, hi = float(rows["kappa"].iloc[0]), 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if have(mid) >= need * (1 - _TOL) else (mid, hi)
    return min(1.0, float(np.ceil(hi * 100 - 1e-9)) / 100)


# ---- small linear programs over the model ---------------------------------------------------
def _family_rows(model: NetworkModel, families: list[str] | tuple[str, ...]) -> np.ndarray:
    """Global row numbers of every row of the given families."""
    blocks = [b for name, b in model.lm.constraints.items() if name in families]
    return np.concatenate([np.arange(b.start, b.start + b.size) for b in blocks] or [np.zeros(0, np.int64)])


def _lp(model: NetworkModel, cost: np.ndarray | None = None, free: np.ndarray | None = None,
        elastic: np.ndarray | None = None,
        groups: np.ndarray | None = None) -> tuple[float, np.ndarray] | None:
    """Minimise over the LP relaxation of ``model``: ``cost``·x with the rows ``free`` dropped
    and each row of ``elastic`` softened by a shortfall (added below a lower bound, taken off
    an upper bound), plus the sum of the shortfalls or, with ``groups`` (a code per elastic
    row), the largest total shortfall of a group. Returns (minimum, solution), or None if
    even that is infeasible. The minimum bounds every plan (integer decisions only add rows)."""
    import scipy.sparse as sp

    lm = model.lm
    a = sp.csc_matrix(lm.matrix(by_column=True))
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    row_lo, row_up = row_lo.copy(), row_up.copy()
    if free is not None and len(free):
        row_lo[free], row_up[free] = -np.inf, np.inf
    elastic = np.zeros(0, np.int64) if elastic is None else np.asarray(elastic, np.int64)
    m, n = a.shape
    k = len(elastic)
    sign = np.where(np.isfinite(row_lo[elastic]), 1.0, -1.0)
    cols = [a, sp.csc_matrix((sign, (elastic, np.arange(k))), shape=(m, k))]
    lo, up = [col_lo, np.zeros(k)], [col_up, np.full(k, np.inf)]
    costs = [np.zeros(n) if cost is None else np.asarray(cost, float),
             np.ones(k) if groups is None else np.zeros(k)]
    rlo, rup = [row_lo], [row_up]
    if groups is not None:  # t >= the shortfall of each group; minimise t
        codes, names = pd.factorize(pd.Series(np.asarray(groups)))
        g = len(names)
        cols.append(sp.csc_matrix((m, 1)))
        lo.append(np.zeros(1))
        up.append(np.full(1, np.inf))
        costs.append(np.ones(1))
        extra = sp.csc_matrix((np.r_[np.ones(k), -np.ones(g)],
                               (np.r_[codes, np.arange(g)], np.r_[n + np.arange(k), np.full(g, n + k)])),
                              shape=(g, n + k + 1))
        matrix = sp.vstack([sp.hstack(cols, format="csc"), extra], format="csc")
        rlo.append(np.full(g, -np.inf))
        rup.append(np.zeros(g))
    else:
        matrix = sp.hstack(cols, format="csc")
    h = new_highs(SolveOptions())
    pass_matrix(h, matrix, np.concatenate(costs), np.concatenate(lo), np.concatenate(up),
                np.concatenate(rlo), np.concatenate(rup), np.zeros(matrix.shape[1], dtype=bool))
    result = run_highs(h, False)
    if result.status is not Status.OPTIMAL or result.x is None:
        return None
    return result.objective, result.x


def _unrelated_rows(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> np.ndarray:
    """The rows of the policy fields with no row in the conflict: left out of the LPs, so that
    another conflict elsewhere does not hide this one (leaving rows out keeps every bound valid)."""
    fields = set(_policy_fields(iis))
    return _family_rows(model, [name for name in model.lm.constraints
                                if _field_of(name) is not None and _field_of(name) not in fields])


def _total_demand(model: NetworkModel) -> float:
    return float(np.sum(model.sets.demand_table["demand"]))


# ---- CO2 cap ------------------------------------------------------------------------------------
def _explain_co2(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """co2_cap against the least CO2 any plan emits under the rest of the policy."""
    lm, policy = model.lm, model.policy
    block = lm.constraints["co2_cap"]
    cost = np.zeros(lm.n_cols)
    np.add.at(cost, block.cols, block.vals)
    co2_rows = _family_rows(model, ["co2_cap"])
    unrelated = _unrelated_rows(model, iis)
    least = _lp(model, cost, free=np.concatenate([co2_rows, unrelated]))
    cap = float(policy.co2_cap or 0.0)
    if least is None or least[0] <= cap * (1 + _TOL) + 1e-9:
        return []
    emit = least[0]
    others = _policy_fields(iis, leave=("co2_cap",))
    others_text = _and([_field_text(policy, f) for f in others]) if others else ""
    meets = ([f"all demand ({_n(_total_demand(model))} units)"] if policy.shortfall_penalty is None
             else []) + ([others_text] if others else [])
    text = (f"co2_cap {_n(cap)} cannot be met: every plan" + (f" that meets {' and '.join(meets)}"
                                                             if meets else "")
            + f" emits at least {_n(emit)} CO2 units, {_n(emit - cap)} more than the cap")
    fixes = [f"raise co2_cap to at least {_n(float(np.ceil(emit)))}"]
    if others:
        relaxed = _family_rows(model, [f for f in lm.constraints if _field_of(f) in others])
        without = _lp(model, cost, free=np.concatenate([co2_rows, relaxed, unrelated]))
        if without is not None:
            text += f" (without {_and(_names(policy, others))}: at least {_n(without[0])})"
            if without[0] <= cap * (1 + _TOL):
                fixes.append(f"relax {_and(_names(policy, others), 'or')}")
    fixes.append("use suppliers and lanes with less CO2")
    return [f"{text}; to resolve it: {_and(fixes, 'or')}"]


# ---- N-1 survival -----------------------------------------------------------------------------
def _survive_hubs_capacity(model: NetworkModel) -> list[str]:
    """survive hub with max_hubs k: after losing one of at most k open hubs, the k - 1 largest
    hubs must still handle the units the service level requires."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    if "hub" not in policy.survive or k is None:
        return []
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = float((beta * s.demand["demand"]).sum())
    caps = np.sort(np.asarray(s.hubs_table["capacity"], float))[::-1]
    top = float(caps[:max(k - 1, 0)].sum())
    if top >= need * (1 - _TOL):
        return []
    enough = np.flatnonzero(np.cumsum(caps) >= need * (1 - _TOL))
    fix = f"raise max_hubs to at least {int(enough[0]) + 2}, " if len(enough) else ""
    rest = ("losing it leaves no hub" if k <= 1 else
            f"losing one leaves at most one hub, and the largest hub handles at most {_n(top)} units"
            if k == 2 else f"losing one leaves at most {k - 1} hubs, and the {k - 1} largest hubs "
            f"handle at most {_n(top)} units")
    fields = [_field_text(policy, "survive"), f"max_hubs {k}"]
    return [f"{_cannot(fields)}: with at most {k} hub{'s' if k != 1 else ''} open, {rest}"
            + f", below the {_n(need)} units the service level requires (missing "
            f"{_n(need - top)}); to resolve it: {fix}lower service_level or add hub capacity"]


def _cut_off(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Markets that a single loss cuts off: after it, no surviving supplier reaches them
    through a surviving hub (their recourse row has no flow at all), one line per loss."""
    rows = iis.get("survive_demand")
    block = model.lm.constraints.get("survive_demand")
    if rows is None or block is None:
        return []
    local = rows["_row"].to_numpy(np.int64) - block.start
    empty = np.bincount(block.rows, minlength=block.size)[local] == 0
    if not empty.any():
        return []
    cut = rows.loc[empty].assign(units=np.asarray(block.lower, float)[local[empty]])
    out = []
    for failure, group in cut.groupby("failure", sort=False):
        shown = [f"market '{r.market}' (product '{r.product}', {_n(r.units)} units required)"
                 for r in group.head(MAX_REASONS).itertuples()]
        more = f" and {len(group) - MAX_REASONS} more" if len(group) > MAX_REASONS else ""
        out.append(f"{_field_text(model.policy, 'survive')} cannot be met: losing {_failure(failure)} cuts "
                   f"off {_and(shown)}{more}: no remaining supplier reaches "
                   f"{'it' if len(group) == 1 else 'them'} through a remaining hub; to resolve it: add lanes "
                   f"that avoid {_failure(failure)} or lower service_level for "
                   f"{'this market' if len(group) == 1 else 'these markets'}")
    return _limit(out, "losses")


def _explain_survive(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """survive against what the contracted suppliers and opened hubs left by a failure can do."""
    s, policy, lm = model.sets, model.policy, model.lm
    if "hub_count" in iis:
        lines = _survive_hubs_capacity(model) or _hubs_cover(model)
        if lines:
            return lines
    failures = pd.concat([df["failure"] for f, df in iis.items() if f.startswith("survive_")])
    names = list(failures.value_counts(sort=True).index)  # most rows first
    beta = policy.per_market_product("service_level", s.demand["region"], s.demand["product"],
                                     default=1.0)
    need = float((beta * s.demand["demand"]).sum())
    others = _policy_fields(iis, leave=("survive",))
    fields = [_field_text(policy, "survive"), *(_field_text(policy, f) for f in others)]
    cut = _cut_off(model, iis)
    if cut:
        return cut
    block = lm.constraints.get("survive_demand")
    if block is None:
        return []
    failure = np.asarray(block.labels["failure"], dtype=object)
    mine = np.isin(failure, names)
    rows = block.start + np.arange(block.size)
    result = _lp(model, free=np.concatenate([rows[~mine], _unrelated_rows(model, iis)]), elastic=rows[mine],
                 groups=failure[mine])
    if result is None or result[0] <= need * _TOL:
        return []
    short = result[0]
    lost_one = _failure(names[0])
    lost = f"losing {lost_one}" if len(names) == 1 else f"losing one of {_failures(names)}"
    text = (f"{_cannot(fields)}: whatever suppliers are contracted and hubs opened, {lost} leaves at least "
            f"{_n(short)} of the {_n(need)} units the service level requires undelivered"
            + ("" if len(names) == 1 else " in the worst of these cases"))
    pairs = iis.get("survive_demand")
    if pairs is not None:
        pairs = pairs[["market", "product"]].drop_duplicates()
        if len(pairs) <= 3:
            text += "; in the conflict: " + _and([_mp(r.market, r.product) for r in pairs.itertuples()])
        else:
            text += f"; {pairs['market'].nunique()} markets are in the conflict"
    capacities = []
    if "survive_hub_capacity" in iis:
        caps = s.hubs.set_index("hub")["capacity"]
        capacities += [f"hub '{h}' ({_n(caps[h])} units)"
                       for h in dict.fromkeys(iis["survive_hub_capacity"]["hub"])]
    if "survive_supplier_capacity" in iis:
        caps = s.supply.set_index(["supplier", "product"])["capacity"]
        pairs_s = iis["survive_supplier_capacity"][["supplier", "product"]].drop_duplicates()
        capacities += [f"supplier '{r.supplier}' ({_n(caps[(r.supplier, r.product)])} units of "
                       f"'{r.product}')" for r in pairs_s.itertuples()]
    if capacities:
        shown = capacities[:4] + ([f"{len(capacities) - 4} more"] if len(capacities) > 4 else [])
        text += f"; capacities in the conflict: {_and(shown)}"
    fixes = ["lower service_level"] + [f"relax {f}" for f in _names(policy, others)] + [
        "add capacity and lanes that do not depend on " + (lost_one if len(names) == 1 else "these")]
    return [f"{text}; to resolve it: {_and(fixes, 'or')}"]


# ---- hub counts ----------------------------------------------------------------------------------
def _hub_requirements(s: Sets, policy: Policy) -> list[tuple[frozenset[str], str, bool]]:
    """What needs an open hub, as (the hubs able to carry it, words, from survive), one per
    distinct set of hubs: each market and product (when no shortfall is allowed), each min
    share, and with survive hub or country each market and product after each such loss."""
    from .model.redundancy import single_failures

    dem = s.demand.reset_index(drop=True)
    flows = s.flows[["hub", "origin", "_demand"]]
    d = dem.iloc[flows["_demand"].to_numpy()].reset_index(drop=True)
    countries = s.countries.set_index("country")
    flag = {"local": (flows["origin"].map(countries["region"]).to_numpy() == d["region"].to_numpy()),
            "allied": ((flows["origin"].to_numpy() == d["country"].to_numpy())
                       | ((flows["origin"].map(countries["bloc"]).to_numpy() == d["bloc"].to_numpy())
                          & (d["bloc"].to_numpy() != "")))}
    out: dict[frozenset[str], tuple[str, bool]] = {}
    kinds: list[tuple[str, np.ndarray, np.ndarray]] = []
    if policy.shortfall_penalty is None:
        kinds.append(("demand", np.ones(len(dem)), np.ones(len(flows), dtype=bool)))
    for field, what in (("min_local_share", "local"), ("min_allied_share", "allied")):
        if getattr(policy, field) is not None:
            kinds.append((what, policy.per_market_product(field, dem["region"], dem["product"]),
                          flag[what]))
    for what, share, ok in kinds:
        hubs = flows.loc[ok].groupby("_demand")["hub"].agg(frozenset)
        for i, r in dem.iterrows():
            if not share[i] > 0 or i not in hubs.index:
                continue
            words = (f"{_mp(r['market'], r['product'])} can only be supplied" if what == "demand" else
                     f"{_mp(r['market'], r['product'])} can only get its {_pct(share[i])} {what} units "
                     f"({_n(share[i] * r['demand'])})")
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
                    out.setdefault(left, (f"after losing {f.kind} '{f.element}', {_mp(m, p)} can only be "
                                          "supplied", True))
    return [(hubs, words, survive) for hubs, (words, survive) in out.items()]


def _min_cover(sets: list[frozenset[str]], forced: set[str]) -> int | None:
    """The fewest hubs that meet every set of ``sets`` (one hub of each), ``forced`` included."""
    import scipy.sparse as sp

    hubs = sorted(set().union(*sets) | forced)
    at = {h: i for i, h in enumerate(hubs)}
    rows = np.concatenate([np.full(len(x), j) for j, x in enumerate(sets)] or [np.zeros(0, int)])
    cols = np.array([at[h] for x in sets for h in sorted(x)], dtype=int)
    a = sp.csc_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(sets), len(hubs)))
    h = new_highs(SolveOptions())
    pass_matrix(h, a, np.ones(len(hubs)), np.array([1.0 if x in forced else 0.0 for x in hubs]),
                np.ones(len(hubs)), np.ones(len(sets)), np.full(len(sets), np.inf),
                np.ones(len(hubs), dtype=bool))
    result = run_highs(h, True)
    return round(result.objective) if result.status is Status.OPTIMAL else None


def _hubs_text(hubs: frozenset[str]) -> str:
    names = sorted(hubs)
    return f"hub {names[0]}" if len(names) == 1 else f"hubs {_and(names, 'or')}"


def _hubs_cover(model: NetworkModel) -> list[str]:
    """max_hubs against the hubs that markets can only be reached through: the fewest hubs
    that reach every market and product (and every min share, and with survive every market
    after each loss of a hub or country) is a whole-number bound that no plan can beat; the
    markets named are a smallest set that already needs that many."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    reqs = _hub_requirements(s, policy) if k is not None else []
    if not reqs:
        return []
    forced = set(s.hubs.loc[s.hubs["status"] == "open", "hub"])
    least = _min_cover([r for r, _, _ in reqs], forced)
    if least is None or least <= k:
        return []
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
    head = (_cannot([f"max_hubs {k}", _field_text(policy, "survive")]) if survive
            else f"max_hubs {k} is too few")
    forced_text = f" (counting {_and(sorted(forced))}, which must stay open)" if forced else ""
    return [f"{head}: {_and(parts)}, so at least {least} hubs must be open{forced_text}; to resolve it: "
            f"raise max_hubs to at least {least}" + (", relax survive" if survive else "")
            + " or add lanes from other hubs to these markets"]


def _explain_hubs(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """max_hubs against the hubs that markets can only be reached through, else against the
    units that so few hubs can deliver."""
    s, policy = model.sets, model.policy
    k = policy.max_hubs
    if k is None:
        return []
    cover = _hubs_cover(model)
    if cover or policy.shortfall_penalty is not None:
        return cover
    total = _total_demand(model)
    demand_rows = _family_rows(model, ["demand"])
    unrelated = _unrelated_rows(model, iis)
    result = _lp(model, free=unrelated, elastic=demand_rows)
    if result is None or result[0] <= total * _TOL:
        return []
    others = _policy_fields(iis, leave=("hub_count",))
    fields = [_field_text(policy, "hub_count"), *(_field_text(policy, f) for f in others)]
    text = (f"{_cannot(fields)}: with at most {k} hubs open"
            + (f" and {_and([_field_text(policy, f) for f in others])}" if others else "")
            + f", the hubs' capacities and lanes let at most {_n(total - result[0])} of the {_n(total)} "
            f"units markets need be delivered (missing {_n(result[0])})")
    if others:
        relaxed = _family_rows(model, [f for f in model.lm.constraints if _field_of(f) in others])
        without = _lp(model, free=np.concatenate([relaxed, unrelated]), elastic=demand_rows)
        if without is not None and without[0] > total * _TOL:
            text += f"; even without {_and(_names(policy, others))} at most {_n(total - without[0])}"
    if "hub_capacity" in iis:
        caps = s.hubs.set_index("hub")["capacity"]
        hubs = [f"{h} ({_n(caps[h])} units)" for h in iis["hub_capacity"]["hub"][:MAX_REASONS]]
        text += f"; hub capacities involved: {', '.join(hubs)}"
    return [f"{text}; to resolve it: raise max_hubs or add hub capacity"]


# ---- shares across markets (LP) ---------------------------------------------------------------
def _explain_shares_together(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """Min shares (or demand) of several markets that compete for the same suppliers."""
    policy = model.policy
    targets = [f for f in ("min_local_share", "min_allied_share") if f in iis] or (
        ["demand"] if "demand" in iis else [])
    if not targets:
        return []
    rows = np.concatenate([iis[f]["_row"].to_numpy(np.int64) for f in targets])
    others = np.setdiff1d(_family_rows(model, targets), rows)  # other markets' shares: dropped
    free = np.concatenate([others if targets != ["demand"] else np.zeros(0, np.int64),
                           _unrelated_rows(model, iis)])
    result = _lp(model, free=free, elastic=rows)
    need = float(model.lm.bounds()[2][rows].sum())
    if result is None or result[0] <= need * _TOL:
        return []
    short = result[0]
    lower = model.lm.bounds()[2]
    pairs = pd.concat([iis[f][["market", "product"]] for f in targets]).drop_duplicates()
    markets = list(dict.fromkeys(pairs["market"]))
    shown = [f"'{m}'" for m in markets[:6]] + ([f"{len(markets) - 6} more"] if len(markets) > 6 else [])
    products = [f"'{p}'" for p in dict.fromkeys(pairs["product"])]
    what = {"min_local_share": "from their own region", "min_allied_share": "from allied countries",
            "demand": "in total"}
    needs = _and([f"{_n(float(lower[iis[f]['_row'].to_numpy(np.int64)].sum()))} units {what[f]}"
                  for f in targets])
    fields = [_field_text(policy, f) for f in _policy_fields(iis)]
    excluded = (f" (excluded_countries {', '.join(policy.excluded_countries)} left out)"
                if policy.excluded_countries else "")
    limits = _limits_involved(model, iis)
    return [f"{_cannot(fields)} for markets {_and(shown)} (product{'s' if len(products) > 1 else ''} "
            f"{_and(products)}) together: they need {needs}, but the suppliers able to reach them"
            f"{excluded}, shared with the other markets, can deliver at most {_n(need - short)} of these "
            f"{_n(need)} units while the rest of the policy holds (missing {_n(short)})"
            + (f"; the limits involved: {limits}" if limits else "")
            + f"; to resolve it: relax {_and(_names(policy, _policy_fields(iis)), 'or')} for these "
            "markets, or add capacity that reaches them"]


def _limits_involved(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> str:
    """The caps and capacities in the conflict, with their units (at most four of them)."""
    s, policy = model.sets, model.policy
    total = pd.Series(s.products_table["total_demand"], index=s.products_table["product"])
    capacity = s.supply.set_index(["supplier", "product"])["capacity"]
    demand = s.demand.set_index(["market", "product"])["demand"]
    items: list[str] = []
    if "max_country_share" in iis:
        block = model.lm.constraints["max_country_share"]
        upper = block.upper[iis["max_country_share"]["_row"].to_numpy(np.int64) - block.start]
        items += [f"max_country_share caps {r.origin} at {_n(u)} units for market '{r.market}' "
                  f"('{r.product}', {_pct(u / demand[(r.market, r.product)])})"
                  for r, u in zip(iis["max_country_share"].itertuples(), upper, strict=True)]
    if "max_supplier_share" in iis:
        for r in iis["max_supplier_share"].itertuples():
            sigma = float(policy.per_product("max_supplier_share", pd.Series([r.product]))[0])
            items.append(f"max_supplier_share {sigma:g} caps supplier '{r.supplier}' at "
                         f"{_n(sigma * total[r.product])} units of '{r.product}'")
    if "supplier_capacity" in iis:
        items += [f"supplier '{r.supplier}' makes at most {_n(capacity[(r.supplier, r.product)])} units "
                  f"of '{r.product}'" for r in iis["supplier_capacity"].itertuples()]
    return _and(items[:4] + ([f"{len(items) - 4} more"] if len(items) > 4 else [])) if items else ""


# ---- anything else: the requirements in plain words ----------------------------------------
def _plain(policy: Policy, family: str, r: pd.Series) -> str:
    get = lambda k: r.get(k, "")  # noqa: E731
    if family.startswith("survive_"):
        after = f"after losing {_failure(get('failure'))}, "
        rest = {"survive_demand": lambda: _mp(get("market"), get("product")),
                "survive_supplier_capacity": lambda: f"the capacity of supplier '{get('supplier')}' "
                                                     f"(product '{get('product')}')",
                "survive_hub_capacity": lambda: f"the capacity of hub '{get('hub')}'"}.get(family)
        return f"survive: {after}{rest()}" if rest else f"survive ({_label(r)})"
    words = {
        "demand": lambda: f"the demand of {_mp(get('market'), get('product'))}",
        "supplier_capacity": lambda: f"the capacity of supplier '{get('supplier')}' "
                                     f"(product '{get('product')}')",
        "hub_capacity": lambda: f"the capacity of hub '{get('hub')}'",
        "assign_capacity": lambda: f"single_sourcing through hub '{get('hub')}' (its capacity)",
        "single_source": lambda: f"single_sourcing for market '{get('market')}'",
        "hub_count": lambda: _field_text(policy, "hub_count"),
        "co2_cap": lambda: _field_text(policy, "co2_cap"),
        "min_suppliers": lambda: f"min_suppliers for product '{get('product')}'",
        "max_supplier_share": lambda: f"max_supplier_share for supplier '{get('supplier')}' "
                                      f"(product '{get('product')}')",
        "max_country_share": lambda: f"max_country_share for {_mp(get('market'), get('product'))} "
                                     f"from country {get('origin')}",
        "min_local_share": lambda: f"min_local_share for {_mp(get('market'), get('product'))}",
        "min_allied_share": lambda: f"min_allied_share for {_mp(get('market'), get('product'))}",
    }.get(family)
    label = _label(r)
    return words() if words else family + (f" ({label})" if label else "")


def _explain_plainly(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> list[str]:
    """The requirements in conflict in plain words, policy first, when no quantity applies."""
    groups: dict[bool, list[str]] = {True: [], False: []}
    for family, df in iis.items():
        if family in _INTERNAL or family in ("survive_balance",) or family.startswith("disruption_"):
            continue
        items = [_plain(model.policy, family, r) for _, r in df.head(3).iterrows()]
        more = f" and {len(df) - 3} more" if len(df) > 3 else ""
        groups[family not in ("demand", "supplier_capacity", "hub_capacity")].append(_and(items) + more)
    if not groups[True] and not groups[False]:
        return ["the data and policy have no plan, but the conflict lies in flow balances only"]
    text = "these requirements cannot all hold together: " + "; ".join(groups[True] or groups[False])
    if groups[True] and groups[False]:
        text += "; given " + "; ".join(groups[False])
    return [text + "; relax one of the policy requirements named, or add capacity or lanes where named"]


def summarise_iis(by_family: dict[str, list[str]]) -> list[str]:
    """The detail line for experts: the model rows in conflict by family (labels as
    ``market/product/...``), after the planner's sentences."""
    parts = []
    for family, labels in by_family.items():
        shown = ", ".join(lab for lab in labels[:MAX_REASONS] if lab)
        more = f" and {len(labels) - MAX_REASONS} more" if len(labels) > MAX_REASONS else ""
        parts.append(family + (f" ({shown}{more})" if shown else ""))
    return ["detail for experts, the model rows HiGHS finds in conflict (IIS of the LP relaxation): "
            + "; ".join(parts)]
