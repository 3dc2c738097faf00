"""Redundancy families: N-1 survival (docs/formulation.md §5, docs/conventions.md §8.5) and
disruption recourse (docs/formulation.md §5b).

Both add, for each failure f, recourse flows through the contracted suppliers and opened
hubs that survive f, built for all failures at once (vectorised over failure × arc).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import ValidationError
from ..limits import current
from ..schema import FAILURE_KINDS
from .base import shortfall_prices
from .context import Context, local
from .linear import LinearModel
from .sets import Sets, total_demand
from .table import Table


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


def lost_elements(s: Sets, part: pd.DataFrame) -> tuple[set[str], set[str]]:
    """The suppliers and hubs lost when every (kind, element) row of ``part`` fails together
    (a country failure loses every supplier and hub of the country, §8.5)."""
    lost_s: set[str] = set()
    lost_h: set[str] = set()
    for kind, element in zip(part["kind"], part["element"], strict=True):
        if kind == "supplier":
            lost_s.add(element)
        elif kind == "hub":
            lost_h.add(element)
        else:
            lost_s |= set(s.suppliers.loc[s.suppliers["country"] == element, "supplier"])
            lost_h |= set(s.hubs.loc[s.hubs["country"] == element, "hub"])
    return lost_s, lost_h


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


Lanes = tuple[pd.DataFrame, dict[str, list[str]]]


def _lanes(s: Sets) -> tuple[Lanes, Lanes]:
    """The inbound and the outbound lanes, each with its columns per failure kind: an inbound
    lane is lost with its supplier, its hub or either's country, an outbound one with its hub
    or the hub's country."""
    inbound = s.inbound_table.select(["supplier", "hub", "country"]).frame().assign(
        hub_country=s.hubs_table["country"][s.inbound_table["_hub"]])
    outbound = s.outbound_table.select(["hub"]).frame().assign(
        hub_country=s.hubs_table["country"][s.outbound_table["_hub"]])
    return ((inbound, {"supplier": ["supplier"], "hub": ["hub"], "country": ["country", "hub_country"]}),
            (outbound, {"hub": ["hub"], "country": ["hub_country"]}))


def surviving_inbound(s: Sets, failures: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(failure position, inbound row) of every inbound arc that survives each failure: the
    arc's supplier, hub and both their countries are not lost."""
    return surviving(failures, *_lanes(s)[0])


def lost_lanes(s: Sets, failures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (failure, _arc) pairs of inbound and of outbound lanes (positions in
    ``s.inbound_table`` and ``s.outbound_table``) that each failure removes."""
    (inbound, cin), (outbound, cout) = _lanes(s)
    return _lost(failures, inbound, cin), _lost(failures, outbound, cout)


#: peak bytes per recourse column (ladder L survive supplier 1.0: 18.8M columns, 5.4 GB)
BYTES_PER_COLUMN = 290


def recourse_columns(s: Sets, n_failures: int) -> tuple[int, int]:
    """The network's lanes (inbound and outbound) and the recourse columns of ``n_failures``
    copies of them."""
    lanes = len(s.inbound_table) + len(s.outbound_table)
    return lanes, n_failures * lanes


def over_limit(s: Sets, n_failures: int, limit: int | None = None) -> bool:
    """Whether ``n_failures`` copies of the lanes exceed ``limit`` recourse columns (default and
    at most: the ``recourse_columns`` limit)."""
    cap = current().recourse_columns
    return recourse_columns(s, n_failures)[1] > (cap if limit is None else min(limit, cap))


def check_size(s: Sets, n_failures: int, source: str, fewer: str) -> None:
    """A :class:`ValidationError` naming ``source`` when ``n_failures`` copies of the network's
    lanes exceed the ``recourse_columns`` limit (raised before any copy is built: ladder XL
    survive supplier 1.0 would hold 500 × 334,467 ≈ 167M columns, about 48 GB)."""
    if not over_limit(s, n_failures):
        return
    (lanes, n), limits = recourse_columns(s, n_failures), current()
    raise ValidationError([
        f"{source} | needs one copy of the network's {lanes:,} lanes per failure: {n_failures:,} × "
        f"{lanes:,} = {n:,} recourse columns (about {n * BYTES_PER_COLUMN / 1e9:,.1f} GB of memory), "
        f"over the limit of {limits.describe('recourse_columns')}; {fewer}"], "with the model's size")


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
    ``disruption`` (docs/formulation.md §5b; tariffs are ignored in recourse).
    """
    s, v, lm = ctx.sets, ctx.v, ctx.lm
    names = failures["failure"].drop_duplicates().to_numpy(object)
    nf, nd = len(names), len(s.demand_table)
    fi, ai = surviving_inbound(s, failures)
    fo, ao = surviving(failures, *_lanes(s)[1])
    failure = lambda f: {"failure": (names, f)}  # noqa: E731
    xf = lm.add_variables(f"{prefix}_inbound", Table(
        failure(fi) | s.inbound_table.select(["supplier", "hub", "product"]).take(ai).columns))
    yf = lm.add_variables(f"{prefix}_outbound", Table(
        failure(fo) | s.outbound_table.select(["hub", "market", "product"]).take(ao).columns))

    rows = np.arange(nf * nd)
    dem_index = Table(failure(rows // nd)
                      | {c: (s.demand_table[c], rows % nd) for c in ("market", "product")})
    d_rows = fo * nd + s.outbound_table["_demand"][ao]
    terms = [(d_rows, yf, local(len(ao)), 1.0)]
    blocks: dict[str, object] = {"inbound": xf, "outbound": yf}
    if shortfall:
        dd = np.tile(s.demand_table["demand"], nf)
        u = lm.add_variables(f"{prefix}_shortfall", dem_index, upper=dd)
        terms.append((local(nf * nd), u, local(nf * nd), 1.0))
        lm.add_constraints(f"{prefix}_demand", dem_index, terms, dd, dd)
        blocks["shortfall"] = u
    else:
        lm.add_constraints(f"{prefix}_demand", dem_index, terms, lower=demand_lower)

    # (failure, hub, product) balances, (failure, supply row) and (failure, hub) capacities, each
    # in order of first appearance among the recourse arcs
    products = pd.Index(s.products_table["product"])
    n_p, n_h, n_s = len(products), len(s.hubs_table), len(s.supply_table)
    supply_row = s.inbound_table["_supply"][ai]
    hub_in, hub_out = s.inbound_table["_hub"][ai], s.outbound_table["_hub"][ao]
    p_in = products.get_indexer(s.supply_table["product"])[supply_row]
    p_out = products.get_indexer(s.demand_table["product"])[s.outbound_table["_demand"][ao]]
    x_key, y_key = (fi * n_h + hub_in) * n_p + p_in, (fo * n_h + hub_out) * n_p + p_out
    hp = pd.unique(np.concatenate([x_key, y_key]))
    at = pd.Index(hp)
    lm.add_constraints(f"{prefix}_balance", Table(failure(hp // (n_h * n_p)) | {
        "hub": (s.hubs_table["hub"], hp // n_p % n_h), "product": (products.to_numpy(object), hp % n_p)}), [
        (at.get_indexer(x_key), xf, local(len(ai)), 1.0),
        (at.get_indexer(y_key), yf, local(len(ao)), -1.0),
    ], 0.0, 0.0)

    key = fi * n_s + supply_row
    sp = pd.unique(key)
    row = sp % n_s
    cap = np.minimum(s.supply_table["capacity"][row], total_demand(s, s.supply_table["product"][row]))
    lm.add_constraints(f"{prefix}_supplier_capacity", Table(failure(sp // n_s) | {
        "supplier": (s.supply_table["supplier"], row), "product": (s.supply_table["product"], row)}), [
        (pd.Index(sp).get_indexer(key), xf, local(len(ai)), 1.0),
        (local(len(sp)), v["z"], s.supply_table["_supplier"][row], -cap),
    ], upper=0.0)

    key = fi * n_h + hub_in
    fh = pd.unique(key)
    hub = fh % n_h
    hub_cap = np.minimum(s.hubs_table["capacity"][hub], float(s.demand_table["demand"].sum()))
    fh_index = Table(failure(fh // n_h) | {"hub": (s.hubs_table["hub"], hub)})
    lm.add_constraints(f"{prefix}_hub_capacity", fh_index, [
        (pd.Index(fh).get_indexer(key), xf, local(len(ai)), 1.0),
        (local(len(fh)), v["o"], hub, -hub_cap),
    ], upper=0.0)
    if weight is not None:
        c = lm.objective()
        x_cost = ctx.v["x"].values(c)[ai] * weight[fi]
        # a recourse flow costs what the first flow of its outbound lane costs, less tariffs
        lane, first = np.unique(s.flows_table["_out"], return_index=True)
        unit = np.full(len(s.outbound_table), np.nan)
        unit[lane] = (ctx.v["y"].values(c) - s.flows_table["tariff"])[first]
        lm.add_cost("disruption", xf, x_cost)
        lm.add_cost("disruption", yf, unit[ao] * weight[fo])
        if shortfall:
            pi = np.tile(shortfall_prices(ctx), nf)  # failure-major, as the block
            lm.add_cost("disruption", blocks["shortfall"], np.repeat(weight, nd) * pi)  # type: ignore[arg-type]
    return blocks


def add_disruptions(ctx: Context) -> None:
    """Disruption-aware design (docs/formulation.md §5b): for each scenario f of the ``disruptions``
    table, recourse flows and shortfall u^f with Σ_h y^f + u^f = demand, adding
    w · Σ_f prob_f · (recourse flow cost_f + π Σ u^f) to the objective.

    Active when the network has scenarios, the policy sets ``shortfall_penalty`` π and
    ``disruption_weight`` w > 0. Blocks (each indexed by the failure ``scenario:<name>`` first,
    then as the base block): variables ``disruption_inbound``, ``disruption_outbound``,
    ``disruption_shortfall``; rows ``disruption_demand``, ``disruption_balance``,
    ``disruption_supplier_capacity``, ``disruption_hub_capacity``.
    """
    p, disruptions = ctx.policy, ctx.sets.disruptions
    if disruptions.empty or p.shortfall_penalty is None or not p.disruption_weight:
        return
    failures = pd.DataFrame({"failure": "scenario:" + disruptions["scenario"],
                             "kind": disruptions["kind"], "element": disruptions["element"]})
    prob = disruptions.groupby("scenario", sort=False)["probability"].first()
    names = failures["failure"].drop_duplicates()
    weight = p.disruption_weight * prob.reindex(names.str.removeprefix("scenario:")).to_numpy(float)
    check_size(ctx.sets, len(names), "(disruptions)", "list fewer scenarios")
    add_recourse(ctx, failures, "disruption", np.zeros(0), shortfall=True, weight=weight)


#: the failure whose copy is the network with nothing failed (the template of the copies built
#: on demand, :class:`DeferredFailures`)
INTACT = pd.DataFrame({"failure": ["intact"], "kind": ["none"], "element": [""]})


def add_survive(ctx: Context) -> None:
    """N-1 survival: for every single failure f of the kinds in ``survive``, recourse flows
    through the surviving contracted suppliers and opened hubs deliver
    Σ_h y^f[h,m,p] ≥ β[m,p] · demand[m,p] (β = ``service_level``, default 1).

    Blocks (each indexed by the failure ``<kind>:<element>`` first, ``country:CN``, then as the
    base block): variables ``survive_inbound``, ``survive_outbound``; rows ``survive_demand``,
    ``survive_balance``, ``survive_supplier_capacity``, ``survive_hub_capacity``.
    Copies over the ``recourse_columns`` limit are refused; with ``ctx.defer_failures``, those
    and copies over that many columns are left out and their failures kept in ``ctx.deferred``
    for a solver that builds them on demand (:class:`DeferredFailures`)."""
    if not ctx.policy.survive:
        return
    s = ctx.sets
    failures = single_failures(s, ctx.policy.survive)
    if failures.empty:
        return
    if ctx.defer_failures is not None and over_limit(s, len(failures), ctx.defer_failures):
        ctx.deferred = failures
        return
    counts = failures["kind"].value_counts()
    check_size(s, len(failures), f"(policy) survive {list(ctx.policy.survive)}",
               "survive fewer kinds of failure (here " + ", ".join(
                   f"{n:,} {kind}" for kind, n in counts.items()) + ") or plan a smaller network")
    add_recourse(ctx, failures, "survive", _survive_lower(s, len(failures)), shortfall=False)


def _survive_lower(s: Sets, n_failures: int) -> np.ndarray:
    """β[m,p] · demand[m,p] per (failure, demand row), failure-major."""
    return np.tile(s.requirements_table["service_level"] * s.demand_table["demand"], n_failures)


@dataclass(frozen=True, eq=False)
class DeferredFailures:
    """The survive failures whose recourse copies a model was built without (for a solver that
    builds them on demand), and the model's build context, whose ``lm`` is the model without
    them."""

    failures: pd.DataFrame
    context: Context

    @property
    def names(self) -> np.ndarray:
        return self.failures["failure"].drop_duplicates().to_numpy(object)

    def copies(self, lm: LinearModel, names: np.ndarray | list[str]) -> LinearModel:
        """A copy of ``lm`` (the model, possibly with some columns fixed) with the survive
        recourse of the failures ``names`` (of :attr:`names`, or ``["intact"]``: the network
        with nothing failed, :data:`INTACT`) added; ``lm`` itself is left as it is."""
        table = pd.concat([self.failures, INTACT], ignore_index=True)
        chosen = table.loc[table["failure"].isin(list(names))]
        out = lm.extensible_copy()
        v = {k: out.variables[b.name] for k, b in self.context.v.items() if b.name in out.variables}
        add_recourse(dataclasses.replace(self.context, lm=out, v=v), chosen, "survive",
                     _survive_lower(self.context.sets, chosen["failure"].nunique()), shortfall=False)
        return out

    def whole(self, lm: LinearModel) -> LinearModel | None:
        """``lm`` with every failure's copy, or None over the ``recourse_columns`` limit."""
        if over_limit(self.context.sets, len(self.names)):
            return None
        return self.copies(lm, self.names)

    def lost_lanes(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per failure of :attr:`failures`, the inbound and outbound lanes it removes."""
        return lost_lanes(self.context.sets, self.failures)
