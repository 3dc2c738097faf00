"""Plan: the immutable outcome of a solve, as DataFrames, with atomic writers."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import numpy as np
import pandas as pd

from .data import Network
from .exceptions import ValidationError, no_attribute
from .format import (
    BREAKS_THE_MODEL,
    count,
    delivered_of,
    fraction,
    money_digits,
    quantity,
    relative_gap,
    settings,
)
from .model.build import NetworkModel
from .model.sets import Sets, emission_factors, is_allied, is_local, total_demand, unit_of
from .model.table import frame
from .output_words import PLAN_FILES, hub_totals
from .policy import Policy
from .result_folders import save_result, written_by
from .solvers.base import SolveReport, SolverResult, Status
from .wording import brief

#: the columns of :attr:`Plan.shares` that :meth:`Plan.overall_share` takes
ShareColumn = Literal["local_share", "allied_share", "top_foreign_share"]
SHARE_COLUMNS: tuple[ShareColumn, ...] = ("local_share", "allied_share", "top_foreign_share")

#: cost components in reporting order (money)
COMPONENTS = ("supplier_fixed", "hub_fixed", "purchase", "handling", "transport", "tariffs",
              "co2", "shortfall", "disruption", "opening", "closing")
#: flows below this many units (this fraction of a demand below 1 unit) are reported as zero
#: (solver round-off): :func:`round_off_floors`
FLOW_TOL = 1e-6
#: the share weighting of a plan without demand (its shares are NaN)
NO_DEMAND = "no demand"
#: how a per-product quantity's header or summary item begins: ``demand (t of steel)``
QUANTITY_HEADS = ("demand (", "delivered (", "shortfall (", "volume (", "throughput (")


def is_quantity(title: str) -> bool:
    """Whether ``title`` heads a quantity of one product (:func:`unit` in brackets).

    >>> is_quantity("volume (t of steel)"), is_quantity("throughput, all"), is_quantity("local share (a)")
    (True, False, False)
    """
    return title.startswith(QUANTITY_HEADS) and title.endswith(")") and " of " in title

def units_words(units: Mapping[str, str]) -> str:
    """Each product's unit, ``cells: kWh, chips: pieces``; '' when none is named (all ``units``).

    >>> units_words({"cells": "kWh", "chips": "units"}), units_words({"chips": "units"})
    ('cells: kWh, chips: units', '')
    """
    return ", ".join(f"{p}: {u}" for p, u in units.items()) if set(units.values()) - {"units"} else ""


def readme(title: str, files: Mapping[str, str], units: Mapping[str, str] | None = None,
           caveat: str = "", warnings: Sequence[str] = (), solved: Sequence[str] = ()) -> str:
    """A result folder's README.md: ``title``, a ``caveat`` first (:attr:`Plan.caveat`), each
    product's unit (``units``, when the products table names any), what each of ``files``
    holds, the ``warnings`` of the data it was solved from (printed only when they were read,
    they were lost to whoever got the folder: a period of weight 0 planned at random) and those
    of the result itself (``solved``: a roadmap's free restarts).

    >>> print(readme("Plan", {"plan.json": "the plan"}, {"steel": "t"}))  # doctest: +ELLIPSIS
    # Plan: the files
    <BLANKLINE>
    Written by resilient_sc 0.... Fractions are from 0 to 1; quantities are in units of their
    product, never added across products but for a hub's throughput and capacity; money is in
    the data's currency.
    Each product's unit (the products table's `unit`): steel: t.
    Text that would read as a formula, or starts with `'`, has a `'` put before it: drop the first
    `'` of a cell (`'=x` is the text `=x`). Read id columns as text (pandas: `dtype={"supplier":
    str}`, `keep_default_na=False, na_values=[""]`): `007` and `NA` are ids, a blank is no value.
    CSV files are UTF-8 with a byte order mark, as Excel's "CSV UTF-8" (Python's csv module:
    `encoding="utf-8-sig"`).
    <BLANKLINE>
    - `plan.json`: the plan
    <BLANKLINE>
    """
    named = units_words(units or {})
    lines = [f"# {title}: the files", "", *([f"**Note:** this plan was {caveat}.", ""] if caveat else []),
             f"Written by {written_by()}. Fractions are from 0 to 1; quantities are in units of their",
             "product, never added across products but for a hub's throughput and capacity; money is in",
             "the data's currency.",
             *([f"Each product's unit (the products table's `unit`): {named}."] if named else []),
             "Text that would read as a formula, or starts with `'`, has a `'` put before it: drop the first",
             "`'` of a cell (`'=x` is the text `=x`). Read id columns as text (pandas: `dtype={\"supplier\":",
             'str}`, `keep_default_na=False, na_values=[""]`): `007` and `NA` are ids, a blank is no value.',
             'CSV files are UTF-8 with a byte order mark, as Excel\'s "CSV UTF-8" (Python\'s csv module:',
             '`encoding="utf-8-sig"`).',
             ""]
    said = ["## Warnings of the data", "", "Given when the data were read; the results above stand on them:",
            "", *(f"- {w}" for w in warnings), ""] if warnings else []
    said += ["## Warnings of the solve", "", "Given when the results were solved:", "",
             *(f"- {w}" for w in solved), ""] if solved else []
    return "\n".join([*lines, *(f"- `{name}`: {words}" for name, words in files.items()), "", *said])


#: the line of a plan's cost breakdown for what an extended pyomo model's objective adds to the
#: model as built (:func:`resilient_sc.optimize.with_objective`)
EXTENSION = "extension"


@dataclass(frozen=True, eq=False)
class Plan:
    """A sourcing plan: status, cost, chosen suppliers and hubs, flows and shares.

    Money in the data's currency, quantities in units, shares as fractions of demand.
    ``solve_time`` counts every second of the solve stack (choosing the route, the solver's
    copy of the model, the run, the certificate); ``report`` splits it and names the route
    (:class:`~resilient_sc.solvers.base.SolveReport`; None for a plan built from values outside a solve).
    Write a plan as a workbook with :func:`resilient_sc.workbook.write_workbook` and re-check
    it with :func:`resilient_sc.verify.verify_plan`. Its tables (``suppliers``, ``outbound``,
    ...) are the plan's own, not copies: copy one before changing it (:meth:`tables` gives
    copies), or the summary and what is saved change with it; a stress test refuses a design
    edited in place (:meth:`check_design_unchanged`).
    """

    status: Status
    objective: float
    bound: float
    gap: float
    solve_time: float
    build_time: float
    breakdown: pd.Series  # component -> money
    emissions: float  # CO2 units
    suppliers: pd.DataFrame  # contracted: supplier, country, fixed_cost, status (volumes: suppliers_sheet)
    # opened: hub, country, fixed_cost, capacity, throughput, utilisation (all products; throughput NaN
    # for a hub without capacity receiving products of different units: nothing counts them together)
    hubs: pd.DataFrame
    inbound: pd.DataFrame  # supplier, hub, product, quantity
    outbound: pd.DataFrame  # hub, market, product, origin, quantity
    shares: pd.DataFrame  # market, product, demand, delivered, shortfall, local/allied/top
    country_shares: pd.DataFrame  # market, product, country, quantity, share
    supplier_shares: pd.DataFrame  # supplier, product, quantity, share
    policy: Policy
    model: NetworkModel | None = field(default=None, repr=False)
    report: SolveReport | None = field(default=None, repr=False)
    period: str | None = None  # the period of a roadmap this plan is (its report and times: the roadmap's)

    @classmethod
    def from_solution(cls, model: NetworkModel, result: SolverResult,
                      report: SolveReport | None = None) -> Plan:
        """Read a solution vector back into tables."""
        assert result.x is not None
        values = {name: np.clip(block.values(result.x), 0.0, None)
                  for name, block in model.lm.variables.items()}
        return cls.from_values(model, values, result, report)

    @classmethod
    def from_values(cls, model: NetworkModel, values: dict[str, np.ndarray],
                    result: SolverResult, report: SolveReport | None = None) -> Plan:
        """A plan from per-block variable values (from HiGHS or from pyomo)."""
        lm, s = model.lm, model.sets
        full = np.zeros(lm.n_cols)
        for name, block in lm.variables.items():
            full[block.start:block.start + block.size] = values[name]
        parts = lm.component_values(full)
        # a component the model as built has not (``lm.add_cost`` by a user) is its own line
        names = (*COMPONENTS, *(c for c in parts if c not in COMPONENTS))
        breakdown = pd.Series({c: parts.get(c, 0.0) for c in names}, name="cost")
        z = values["supplier_contracted"] > 0.5
        o = values["hub_opened"] > 0.5
        xq = values["inbound_flow"]
        yq = values["outbound_flow"]
        x_floor, y_floor = round_off_floors(s)
        x_used, y_used = np.flatnonzero(xq > x_floor), np.flatnonzero(yq > y_floor)
        inbound = s.inbound_table.select(["supplier", "hub", "product"]).frame(x_used)
        inbound = inbound.assign(quantity=xq[x_used])
        outbound = s.flows_table.select(["hub", "market", "product", "origin"]).frame(y_used)
        outbound = outbound.assign(quantity=yq[y_used])
        # throughputs of the reported flows (a supplier's volumes are per product: suppliers_sheet)
        suppliers = s.suppliers_table.select(["supplier", "country", "fixed_cost", "status"])
        suppliers = suppliers.take(np.flatnonzero(z)).frame()
        throughput = np.bincount(s.inbound_table["_hub"][x_used], xq[x_used], minlength=len(o))[o]
        capacity = s.hubs_table["capacity"][o]
        # a hub without capacity counts nothing: products of different units are never summed (units audit)
        units = inbound["product"].map({p: unit_of(s, p) for p in pd.unique(inbound["product"])})
        mixed = inbound.assign(unit=units).groupby("hub")["unit"].nunique() > 1
        uncounted = np.isin(s.hubs_table["hub"][o], mixed.index[mixed]) & ~np.isfinite(capacity)
        throughput = np.where(uncounted, np.nan, throughput)
        with np.errstate(divide="ignore", invalid="ignore"):
            utilisation = np.where(np.isfinite(capacity), throughput / capacity, np.nan)
        hubs = s.hubs_table.select(["hub", "country", "fixed_cost", "capacity", "status"])
        hubs = hubs.take(np.flatnonzero(o)).frame().assign(throughput=throughput, utilisation=utilisation)
        shares, country_shares = market_shares(s, y_used, yq[y_used])
        co2_x, co2_y = emission_factors(s)
        return cls(
            status=result.status, objective=float(breakdown.sum()), bound=result.bound,
            gap=result.gap, solve_time=result.solve_time, build_time=model.build_time,
            breakdown=breakdown, emissions=float(co2_x @ xq + co2_y @ yq),
            suppliers=suppliers, hubs=hubs,
            inbound=inbound, outbound=outbound, shares=shares, country_shares=country_shares,
            supplier_shares=supplier_shares(s, inbound), policy=model.policy, model=model,
            report=report,
        )

    def __post_init__(self) -> None:
        # the design as solved: an edit of ``suppliers`` or ``hubs`` in place is found, not replayed
        object.__setattr__(self, "_design", (tuple(self.suppliers["supplier"]), tuple(self.hubs["hub"])))

    if not TYPE_CHECKING:  # (a type checker would take any attribute of a plan)
        def __getattr__(self, name: str) -> NoReturn:
            no_attribute(self, name, {"to_excel": "resilient_sc.workbook.write_workbook(path, plan)"})

    def check_design_unchanged(self) -> None:
        """A :class:`ValidationError` when rows of ``suppliers`` or ``hubs`` were dropped, added or
        renamed in place since the plan was made: an analysis would replay that design, not the
        one solved (8 suppliers of 13 stress-tested without a word). Rows only sorted are the same
        design (they were refused: API audit)."""
        design = self.__dict__.get("_design")  # none in a plan pickled before it was kept
        if design is None:
            return
        for name, ids, solved in (("suppliers", self.supplier_ids, design[0]),
                                  ("hubs", self.hub_ids, design[1])):
            if sorted(map(str, ids)) != sorted(map(str, solved)):
                raise ValidationError([f"(plan) | plan.{name} was changed in place since the plan was "
                                       f"solved ({len(solved)} rows, now {len(ids)}): analyses replay the "
                                       "design solved; copy a table before changing it (plan.tables() gives "
                                       "copies)"])

    # ---- views ---------------------------------------------------------------------
    @property
    def supplier_ids(self) -> list[str]:
        """The suppliers contracted, in the order of ``suppliers``."""
        return self.suppliers["supplier"].tolist()

    @property
    def hub_ids(self) -> list[str]:
        """The hubs opened, in the order of ``hubs``."""
        return self.hubs["hub"].tolist()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: status, cost, bound, gap, chosen ids, the cost breakdown and the
        ``network_cost`` (without shortfall and disruption-scenario cost), the delivery per
        product, the local and allied shares of demand (as the summary prints them; None without
        demand) and how it was solved (``report``: route, times, nodes; None when unknown); a
        roadmap's period plan also names its ``period``."""
        finite = lambda v: v if math.isfinite(v) else None  # noqa: E731
        return {
            "status": self.status.value,
            "objective": finite(self.objective),
            "bound": finite(self.bound),
            "gap": finite(self.gap),
            "solve_time": self.solve_time,
            "build_time": self.build_time,
            "suppliers": self.supplier_ids,
            "hubs": self.hub_ids,
            "breakdown": {k: float(v) for k, v in self.breakdown.items()},
            # the total without shortfall and disruption-scenario cost: what the design and flows cost
            "network_cost": finite(network_cost(self)),
            "emissions": self.emissions,
            "delivered": self.delivered_dict(),
            "shares": {"local": finite(self.overall_share("local_share")),
                       "allied": finite(self.overall_share("allied_share")),
                       "weighting": self.share_weighting()},
            "policy": self.policy.to_dict(),
            "report": None if self.report is None else self.report.to_dict(),
        } | ({} if self.period is None else {"period": self.period}) | (
            {"warnings": list(w)} if (w := self.data_warnings) and self.period is None else {})

    def tables(self, products: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
        """Every result table by the file name it is saved under; supplier volumes and hub
        throughputs per product (units of that product: never added across products), of
        ``products`` (default: :func:`plan_products`); the flow and share tables have each row's
        ``unit`` beside its product (:meth:`unit_of`)."""
        known = plan_products(self)
        network = set(self.model.network.products["product"]) if self.model is not None else set()
        every = set(known) | network
        if isinstance(products, set | frozenset):  # no order of its own: the plan's
            order = [*known, *sorted(every - set(known))]
            products = sorted(products, key=lambda p: order.index(p) if p in order else len(order))
        elif products is not None and not isinstance(products, str):
            products = list(products)  # an array or a Series: its values
        if products is not None and (isinstance(products, str) or not set(products) <= every):
            raise ValidationError([f"(plan) | products {brief(products)}: give a list of products of the "
                                   f"network, among {', '.join(map(str, sorted(every)))}"])
        products = list(products or known)
        cost = self.breakdown.rename_axis("component").reset_index(name="cost")
        total = cost["cost"].sum()
        return {
            "cost_breakdown": cost.assign(share_of_total=cost["cost"] / total if total else 0.0),
            "suppliers_contracted": suppliers_sheet(self, products),
            "hubs_opened": hubs_sheet(self, products),
            # copies: a caller editing a table never changes the plan it came from
            "inbound_flows": self._with_units(self.inbound),
            "outbound_flows": self._with_units(self.outbound),
            "market_shares": self._with_units(self.shares),
            "country_shares": self._with_units(self.country_shares),
            "supplier_shares": self._with_units(self.supplier_shares),
        }

    def _with_units(self, table: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``table`` with the ``unit`` of each row's product beside it."""
        out = table.copy()
        units = self.units(pd.unique(out["product"]))
        out.insert(out.columns.get_loc("product") + 1, "unit", out["product"].map(units).astype(object))
        return out

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write ``plan.json``, one CSV per table and ``README.md`` (what each file holds,
        :data:`PLAN_FILES`) as the folder ``folder``, atomically as a
        whole (:func:`~resilient_sc.io.atomic_folder`: ``folder`` is afterwards the old folder
        or the new one, never a mix); an existing non-empty folder is replaced only with
        ``force``; never the data the plan was solved from (a ValidationError)."""
        return save_result(folder, self.tables(), "plan.json", self.to_dict(), self.data_location, force,
                              readme("Plan", self.file_words(), self.units(plan_products(self)), self.caveat,
                                     self.data_warnings))

    def file_words(self) -> dict[str, str]:
        """What each of its files holds (:data:`PLAN_FILES`), its cost breakdown's ``disruption``
        said where it has one (:meth:`disruption_words`: its share of the total is no share of what
        disruptions cost) and its :data:`EXTENSION` line, for a folder's README and a workbook's
        README sheet alike."""
        files = dict(PLAN_FILES)
        if words := self.disruption_words():
            files["cost_breakdown.csv"] += (f"; {words}; the network cost (design and flows) is "
                                            f"{network_cost(self):,.2f}")
        if EXTENSION in self.breakdown:
            files["cost_breakdown.csv"] += (f"; `{EXTENSION}`: what the terms added to the pyomo model's "
                                            "objective cost, beyond the model as built")
        return files

    @property
    def data_warnings(self) -> tuple[str, ...]:
        """The warnings given when the plan's data were read (:attr:`Network.warnings
        <resilient_sc.data.Network.warnings>`; none for a plan without its model)."""
        return tuple(self.model.network.warnings) if self.model is not None else ()

    @property
    def caveat(self) -> str:
        """What to know before reading the plan as the policy's, after 'this plan was': the note of
        a plan read back from a pyomo model (changed since it was built, or not; certified or
        not), or that it was not certified; empty otherwise."""
        report = self.report
        if report is None or (report.certified and report.route != "pyomo"):
            return ""
        return report.note if report.route == "pyomo" else (
            f"not certified: it {BREAKS_THE_MODEL}")

    @property
    def data_location(self) -> str:
        """The absolute path of the data the plan was solved from ('' when not read from disk)."""
        return self.model.network.location if self.model is not None else ""

    def summary(self) -> str:
        """A short human-readable report."""
        d = money_digits(self.objective)  # cents, or four significant digits of a total below 1
        other = self.period is None and math.isnan(self.bound)  # NaN: optimize.with_objective's mark
        # a bound a rounding above the cost (12,060,664.775 beside 12,060,664.774999998) shows at most
        # the cost: printed apart they read .78 over .77 (audit)
        bound = min(self.bound, self.objective)
        proof = (f"  (bound {bound:,.{d}f}, gap {relative_gap(self.gap)})" if math.isfinite(self.bound)
                 else "  (no bound on this cost: solved for another objective, below)" if other
                 else "  (no bound known: the solver's line below says why)" if self.period is None
                 else f"  (period {self.period} of a roadmap, unweighted; no bound of its own: the "
                      "roadmap's report has the bound)")
        policy = settings(self.policy.to_dict())
        lines = [f"status      {self.status.value}",
                 f"policy      {policy.removesuffix(' (cost-optimal)') if other else policy}",
                 f"total cost  {self.objective:,.{d}f}{proof}",
                 *([f"network     {n:,.{d}f} ({NETWORK_WORDS})"]
                   if (n := network_beside(self.objective, network_cost(self))) is not None else []),
                 f"suppliers   {len(self.suppliers)}: {', '.join(self.supplier_ids)}",
                 f"hubs        {len(self.hubs)}: {', '.join(self.hub_ids)}",
                 "cost breakdown:"]
        lines += [f"  {k:<15}{v:>18,.{d}f}" for k, v in self.breakdown.items() if v]
        if words := self.disruption_words():
            lines.append(f"  ({words})")
        if self.emissions:
            lines.append(f"emissions   {self.emissions:,.2f} CO2 units "
                         "(co2 per unit × units made and shipped)")
        delivery = self.delivery()
        if (delivery["shortfall"] > 0).any():  # only a policy with a shortfall penalty leaves demand short
            lines.append("delivered   " + "; ".join(
                f"{r.product} {delivered_of(r.delivered, r.demand)} {r.unit} ({quantity(r.shortfall)} short)"
                for r in delivery.itertuples()))
        local, allied = (fraction(self.overall_share(c)) for c in ("local_share", "allied_share"))
        lines.append(f"local share {local}   allied share {allied}   (of demand, {self.share_weighting()})")
        # two builds were shown unexplained: the model's here, the solver's in the report's line
        lines.append(f"times       model build {self.build_time:.3f} s, solve {self.solve_time:.3f} s"
                     + (" (solve: the whole roadmap's)" if self.period is not None else
                        " (the line below splits the solve)" if self.report is not None else ""))
        if self.report is not None:
            lines.append(self.report.line())
        return "\n".join(lines)

    def unit_of(self, product: str) -> str:
        """What one unit of ``product`` is (the products table's ``unit``; ``units`` where blank,
        or for a plan without its model)."""
        return self.model.network.unit_of(product) if self.model is not None else "units"

    def units(self, products: Iterable[str]) -> dict[str, str]:
        """:meth:`unit_of` each of ``products`` (a list: one product's is :meth:`unit_of`)."""
        if isinstance(products, str):  # iterated, 'phone' gave the units of p, h, o, n and e
            raise ValidationError([f"(products) | Plan.units takes a list of products, not one: "
                                   f"units([{products!r}]), or unit_of({products!r})"])
        return {p: self.unit_of(p) for p in products}

    def delivered_dict(self) -> dict[str, dict[str, float | str]]:
        """JSON-ready :meth:`delivery`: product -> demand, delivered, shortfall and their unit."""
        return {r.product: {"demand": r.demand, "delivered": r.delivered, "shortfall": r.shortfall,
                            "unit": r.unit} for r in self.delivery().itertuples()}

    def delivery(self) -> pd.DataFrame:
        """Per product, in the order of :func:`plan_products`: ``demand``, ``delivered`` and
        ``shortfall`` in the ``unit`` of that product (:meth:`unit_of`; never added across products)."""
        d = self.shares.groupby("product", sort=False)[["demand", "delivered", "shortfall"]].sum()
        d = d.loc[[p for p in plan_products(self) if p in d.index]]  # every product with demand is one
        d["delivered"], d["shortfall"] = delivered_and_short(d["demand"].to_numpy(float),
                                                             d["delivered"].to_numpy(float))
        d = d.reset_index()
        return d.assign(unit=[self.unit_of(p) for p in d["product"]])

    def foreign_to(self, network: Network) -> list[tuple[str, str]]:
        """(kind, id) of each supplier and hub of the plan's design that ``network`` does not have:
        a plan of other data."""
        known = {"supplier": set(network.suppliers["supplier"]), "hub": set(network.hubs["hub"])}
        return [(kind, name) for kind, table in (("supplier", self.suppliers), ("hub", self.hubs))
                for name in table[kind] if name not in known[kind]]

    def short_words(self) -> str:
        """What the plan leaves short, per product in its own units (never added across
        products): ``cells 150 of 280 kWh delivered (130 short)``; '' when it delivers all."""
        return "; ".join(f"{r.product} {delivered_of(r.delivered, r.demand)} {r.unit} delivered "
                         f"({quantity(r.shortfall)} short)"
                         for r in self.delivery().itertuples() if r.shortfall > 0)

    def overall_share(self, column: ShareColumn) -> float:
        """A share column of :attr:`shares` (:data:`SHARE_COLUMNS`) over all markets and
        products, weighted as :meth:`share_weighting` says (units of different products are never
        added); NaN without demand."""
        if column not in SHARE_COLUMNS:
            raise ValidationError([f"(column) | {brief(column)}: give a share column, one of "
                                   f"{', '.join(SHARE_COLUMNS)}"])
        w = self.share_weights()
        return float((self.shares[column] * w).sum() / w.sum()) if w.sum() else math.nan  # no demand

    def served(self) -> float:
        """The fraction of demand the plan delivers, over all markets and products, weighted as
        :meth:`overall_share` weighs shares (by the demand's value when every product has one:
        :meth:`value_served`); below 1 only for a plan that pays a shortfall penalty. NaN
        without demand."""
        w = self.share_weights()
        d = self.shares["demand"].to_numpy(float)
        served = np.divide(self.shares["delivered"].to_numpy(float), d, out=np.ones_like(d), where=d > 0)
        return float((served * w).sum() / w.sum()) if w.sum() else math.nan

    def value_served(self) -> float:
        """The fraction of the demand's value (demand × unit_value) the plan delivers, over all
        markets and products; NaN when a product has no unit value, or without demand."""
        value = self._unit_values()
        if value is None or not (value > 0).all():
            return math.nan
        total = float(self.shares["demand"].to_numpy(float) @ value)
        return float(self.shares["delivered"].to_numpy(float) @ value) / total if total else math.nan

    def share_weights(self) -> np.ndarray:
        """Weight of each row of :attr:`shares` in :meth:`overall_share`: the demand's value
        (demand × unit_value) when every product has a unit value; else demand units with one
        product; else each product weighted equally (its markets by demand). A product without a
        unit value (0, the default) is never left out of a value weighting."""
        d = self.shares["demand"].to_numpy(float)
        value = self._unit_values()
        if value is not None and (value > 0).all():
            return d * value
        products = self.shares["product"]
        if products.nunique() <= 1:
            return d
        return d / self.shares.groupby("product")["demand"].transform("sum").to_numpy(float)

    def share_weighting(self) -> str:
        """``value-weighted``, ``demand-weighted`` or ``products weighted equally``; ``no demand``
        when there is nothing to weigh (the shares are then NaN)."""
        if not self.shares["demand"].to_numpy(float).sum() > 0:
            return NO_DEMAND
        value = self._unit_values()
        if value is not None and (value > 0).all():
            return "value-weighted"
        return "demand-weighted" if self.shares["product"].nunique() <= 1 else "products weighted equally"

    def disruption_words(self) -> str:
        """What the ``disruption`` cost is ('' without it): by the formulation (§5b) w · Σ_f p_f ·
        (scenario f's whole re-routed flow cost + π · its shortfall), each scenario's ordinary
        deliveries counted again on top of the plan's own flows -- not what the disruptions add."""
        if not self.breakdown.get("disruption", 0.0):
            return ""
        return ("disruption = w × Σ probability × each scenario's whole re-routed cost and shortfall: its "
                "ordinary deliveries are counted again, so it is not what the disruptions add (a stress "
                "test of the plan gives that: its expected shortfall cost and change in flow cost)")

    def _unit_values(self) -> np.ndarray | None:
        if self.model is None:
            return None
        p = self.model.network.products  # (not the model's sets: a plan from a worker builds them on use)
        return pd.Series(p["unit_value"].to_numpy(float), index=p["product"].to_numpy(object)).reindex(
            self.shares["product"]).to_numpy(float)

    def __repr__(self) -> str:
        return (f"Plan({self.status.value}, cost={self.objective:,.2f}, "
                f"{count(len(self.suppliers), 'supplier')}, {count(len(self.hubs), 'hub')})")


def round_off_floors(s: Sets) -> tuple[np.ndarray, np.ndarray]:
    """Per inbound flow (x) and per outbound flow (y): the units at or below which the flow is
    the solver's round-off, reported as none. :data:`FLOW_TOL` units, times the demand where
    that is below 1 unit (of the flow's market and product; of an inbound flow, its product's
    smallest demand): a flow of 1e-6 t of a demand of 1e-3 t is kept (dropped, the plan's
    tables showed that market short and its country shares not adding up to 100%)."""
    d = s.demand_table
    demand = np.asarray(d["demand"], float)
    scale = np.where(demand > 0, np.minimum(demand, 1.0), 1.0)
    smallest = pd.Series(scale).groupby(np.asarray(d["product"])).min()
    x_scale = smallest.reindex(np.asarray(s.inbound_table["product"])).fillna(1.0).to_numpy(float)
    return FLOW_TOL * x_scale, FLOW_TOL * scale[s.flows_table["_demand"]]


def delivered_and_short(demand: np.ndarray, delivered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units delivered and short of ``demand``; a shortfall within :data:`FLOW_TOL` × the demand
    is the LP's round-off: all delivered, none short (a plan table never shows ``9.1e-13``
    short; of a demand of 1e-5 units, 1e-6 short is short).

    >>> delivered_and_short(np.array([3620.0, 10.0]), np.array([3619.999999999999, 4.0]))
    (array([3620.,    4.]), array([0., 6.]))
    """
    short = np.maximum(demand - delivered, 0.0)
    noise = short <= FLOW_TOL * demand
    return np.where(noise, demand, delivered), np.where(noise, 0.0, short)


def market_shares(s: Sets, flows: np.ndarray, quantity: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (market, product): delivered, local, allied and top-foreign-country shares; and per
    (market, product, origin country): quantity and share. ``flows`` are positions in the y index
    carrying ``quantity`` units."""
    d, c = s.demand_table, s.countries_table
    row = s.flows_table["_demand"][flows]
    origin, names = pd.factorize(s.flows_table["origin"][flows], sort=True)
    # one group per (demand row, origin country), in market, product, origin order
    group, at, member = np.unique(row * max(len(names), 1) + origin, return_index=True, return_inverse=True)
    q = np.bincount(member, quantity, minlength=len(group))
    g_row, g_origin = row[at], np.asarray(names, dtype=object)[origin[at]]
    where = pd.Index(c["country"]).get_indexer(g_origin)
    local = is_local(c["region"][where], d["region"][g_row])
    allied = is_allied(g_origin, c["bloc"][where], d["country"][g_row], d["bloc"][g_row])
    demand = d["demand"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = q / demand[g_row]
        delivered = np.bincount(g_row, q, minlength=len(d))
        local_share = np.bincount(g_row, q * local, minlength=len(d)) / demand
        allied_share = np.bincount(g_row, q * allied, minlength=len(d)) / demand
    # the largest foreign share per row, the first origin in name order on a tie: every share
    # within 1e-9 of the row's largest ties (an LP's round-off, 0.5 + 1e-12 against 0.5, picks none)
    foreign = np.flatnonzero(g_origin != d["country"][g_row])
    largest = np.full(len(d), -np.inf)
    np.maximum.at(largest, g_row[foreign], share[foreign])
    tied = foreign[share[foreign] >= largest[g_row[foreign]] - 1e-9]
    tied = tied[np.lexsort((origin[at][tied], g_row[tied]))]
    top = tied[np.diff(g_row[tied], prepend=-1) != 0]
    top_country = np.full(len(d), "", dtype=object)
    top_share = np.zeros(len(d))
    top_country[g_row[top]], top_share[g_row[top]] = g_origin[top], share[top]
    delivered, shortfall = delivered_and_short(np.asarray(demand, float), delivered)
    shares = frame({
        "market": d["market"], "product": d["product"], "demand": demand, "delivered": delivered,
        "shortfall": shortfall, "local_share": local_share,
        "allied_share": allied_share, "top_foreign_country": top_country, "top_foreign_share": top_share})
    by_country = frame({"market": d["market"][g_row], "product": d["product"][g_row], "country": g_origin,
                        "quantity": q, "share": share})
    return shares, by_country


def supplier_shares(s: Sets, inbound: pd.DataFrame) -> pd.DataFrame:
    """Per (supplier, product): quantity bought and its share of the product's total demand."""
    q = inbound.groupby(["supplier", "product"], as_index=False)["quantity"].sum()
    total = total_demand(s, q["product"])
    return q.assign(share=q["quantity"] / total)


def unit(product: str, name: str = "units") -> str:
    """The unit of a quantity of ``product``, as headers and summary items name it; ``name`` is
    the products table's ``unit`` (:meth:`Plan.unit_of`).

    >>> unit("pump"), unit("steel", "t")
    ('units of pump', 't of steel')
    """
    return f"{name} of {product}"


def plan_products(*plans: Plan) -> list[str]:
    """The products the plans (a plan, or a roadmap's) deliver or buy, in the order of the
    network's products table."""
    used = set().union(*(set(p.shares["product"]) | set(p.inbound["product"]) for p in plans))
    model = plans[0].model
    order = list(model.network.products["product"]) if model is not None else []
    return [p for p in order if p in used] + sorted(used - set(order))


def per_product(table: pd.DataFrame, by: str, keys: pd.Series, products: list[str], what: str,
                value: str = "quantity", units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Columns ``<what> (<unit> of <product>)``, one per product: the sum of ``table[value]`` per
    ``by`` and product, in the order of ``keys`` (0 where there is none); ``units``: each
    product's unit name (default ``units``).

    >>> flows = pd.DataFrame({"hub": ["H1", "H1", "H2"], "product": ["pump", "kit", "kit"],
    ...                       "quantity": [5.0, 2.0, 3.0]})
    >>> per_product(flows, "hub", pd.Series(["H1", "H2", "H3"]), ["pump", "kit"], "throughput",
    ...             units={"kit": "boxes"})
       throughput (units of pump)  throughput (boxes of kit)
    0                         5.0                        2.0
    1                         0.0                        3.0
    2                         0.0                        0.0
    """
    q = table.groupby([by, "product"])[value].sum().unstack("product") if len(table) else pd.DataFrame()
    q = q.reindex(index=pd.Index(keys), columns=products).fillna(0.0)
    units = units or {}
    return pd.DataFrame({f"{what} ({unit(p, units.get(p, 'units'))})": q[p].to_numpy(float)
                         for p in products})


def suppliers_sheet(plan: Plan, products: list[str]) -> pd.DataFrame:
    """The contracted suppliers with the volume bought of each product (not one total)."""
    sup = plan.suppliers.reset_index(drop=True)
    return pd.concat([sup, per_product(plan.inbound, "supplier", sup["supplier"], products, "volume",
                                       units=plan.units(products))],
                     axis=1)


def hubs_sheet(plan: Plan, products: list[str]) -> pd.DataFrame:
    """The opened hubs with their throughput of each product, then the throughput of all
    products against the capacity, which counts units of every product together (blank for a
    hub without capacity receiving products of different units: nothing counts them together),
    headed in the unit the products share (:func:`~resilient_sc.output_words.hub_totals`)."""
    hubs, units = plan.hubs.reset_index(drop=True), plan.units(products)
    total = hubs[["throughput", "capacity", "utilisation"]].rename(columns=hub_totals(units))
    return pd.concat([hubs.drop(columns=["throughput", "capacity", "utilisation"]),
                      per_product(plan.inbound, "hub", hubs["hub"], products, "throughput",
                                  units=units), total],
                     axis=1)


#: cost components that price demand not delivered rather than the network: π · shortfall in the
#: plan's own case and w · Σ probability × each disruption scenario's whole recourse and shortfall cost
#: (docs/formulation.md §5b); only a policy with ``shortfall_penalty`` has them
PENALTIES = ("shortfall", "disruption")
#: penalties of at most this (money, half a cent) count as none
NO_PENALTY = 0.005


#: the network cost beside a total that counts penalties: the workbooks' item, the summaries' words
NETWORK_ITEM = "network cost (the total without shortfall and disruption cost)"
NETWORK_WORDS = "design and flows; the rest of the total is shortfall and disruption-scenario cost"


def network_beside(total: float, network: float) -> float | None:
    """``network`` when the ``total`` counts penalties beyond it (more than :data:`NO_PENALTY`):
    then a reader needs both; else None."""
    return network if abs(total - network) > NO_PENALTY else None


def penalty_cost(plan: Plan) -> float:
    """The plan's :data:`PENALTIES` (money): the shortfall and disruption-scenario cost in its cost."""
    return sum(float(plan.breakdown.get(c, 0.0)) for c in PENALTIES)


def penalty_words(plan: Plan) -> str:
    """The parts of the plan's :data:`PENALTIES` in words, each with its amount (money) and, for
    the disruption scenarios' cost, what it counts: ``4,908,227.38 of disruption-scenario cost
    (…ordinary deliveries counted again…)``; a part of 0 is not named."""
    shortfall, disruption = (float(plan.breakdown.get(c, 0.0)) for c in ("shortfall", "disruption"))
    parts = [f"{v:,.2f} of shortfall cost" for v in (shortfall,) if v] + [
        f"{v:,.2f} of disruption-scenario cost (each scenario's re-routed deliveries, weighted: ordinary "
        "deliveries counted again, not what the disruptions add)" for v in (disruption,) if v]
    return " and ".join(parts)


def network_cost(plan: Plan) -> float:
    """The plan's cost without its :data:`PENALTIES` (money): what its design and flows cost."""
    return plan.objective - penalty_cost(plan)
