"""Stress tests: replay failures on a fixed design and report what is still guaranteed.

For each failure f (a supplier, a hub, a whole country, or a ``disruptions`` scenario) the
design's lost suppliers and hubs are switched off and the flows re-routed through the rest,
within lanes, supplier capacity per product, hub throughput and hub balance (the recourse of
the ``survive`` policy, docs/policies.md). Two LPs per failure (a third at penalties given), on
one live HiGHS object:

1. the **best guaranteed served fraction** ``t* = max t`` such that every market m and product p
   gets at least ``t · demand[m,p]`` (so a design built with ``survive`` at service level β
   shows ``t* ≥ β`` for every failure it was built for);
2. the cheapest re-routing: flow cost (purchase, handling, transport, tariffs, CO2 price) plus
   ``π_p`` per unit of product p short. By default ``π_p = unit_value_p + 10 × the dearest
   supplier→hub→market path for p`` (money per unit of p; 1 where neither prices), holding the
   floor t*: every unit that can be re-routed is, and scarce shared capacity goes to the dearer
   product. A plan whose policy has a ``shortfall_penalty`` is replayed at it (with nothing
   failed the replay is the plan), and ``penalty`` sets ``π`` for any plan: those prices alone
   choose the re-routing (no floor held; of the cheapest re-routings, the evenest:
   :meth:`~resilient_sc.analysis.replay.Replay.evenest`), and the worst served fraction
   reported is the least that re-routing serves.

Products have different units, so no figure adds units of two products: service is reported
per product, as the worst (market, product) fraction, and weighted by ``unit_value``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn

import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import RunWarning, ValidationError, check_switch, no_attribute, warn
from ..format import and_list, count, served_fraction, setting
from ..limits import current
from ..model.build import NetworkModel, build_model, given_policy
from ..model.redundancy import lost_elements, single_failures
from ..model.table import by_id
from ..output_words import PATH_MULTIPLE
from ..plain_json import to_plain
from ..policy import Policy
from ..results import Plan
from ..schema import FAILURE_KINDS, STRESS_FAILURES
from ..solvers.base import is_number
from ..wording import brief, suggest, unaccented
from .failure_weights import check_probabilities, failure_weights, probability_weights
from .replay import FLOW_COMPONENTS, SERVED_TOL, Replay, weighs_value

#: ``stress_test(..., penalty=DEFAULT)``: the default penalties even for a plan whose policy has
#: a ``shortfall_penalty`` (designs of several policies replayed on one basis: premium, frontier)
DEFAULT: Final = "default"
#: the row of a served matrix for the design with nothing failed
NOTHING_FAILED = "nothing failed"
FAILURE_COLUMNS = ["failure", "kind", "elements", "probability", "expectation_weight", "worst_served",
                   "worst_market", "worst_product", "value_served", "extra_cost", "shortfall_cost", "impact"]


@dataclass(frozen=True, eq=False)
class StressResult:
    """What a design still serves under each failure.

    ``failures``: one row per failure — its ``kind`` (``country``, ``hub``, ``supplier``: a
    single failure of the kinds replayed; ``scenario``: a disruption scenario, of one element or
    more, whose ``elements`` are named), ``worst_served`` (the lowest fraction of its demand any
    market gets of any product in the re-routing: by default t*, the fraction every market and
    product is still guaranteed; at a given penalty, what the re-routing at those prices
    serves), the (market, product) ``worst_market``, ``worst_product`` at it,
    ``value_served`` (fraction of the demand's value served, weighted by ``unit_value``; NaN
    unless every product has one), ``extra_cost`` (change in flow cost, money; negative when less
    is delivered), ``shortfall_cost`` (the units short priced at ``penalties``, money) and
    ``impact`` = extra_cost + shortfall_cost − the intact design's shortfall cost (the cost the
    failure adds; an intact design serves all its demand unless its policy has a
    ``shortfall_penalty``); ``probability`` is a scenario's probability in the disruptions table
    (or the one given to :func:`stress_test`), blank for a single failure; ``expectation_weight`` is the
    failure's weight in the expected figures, summing to 1, as :attr:`conditional_on` says (the
    probabilities normalised, a single failure 0 beside scenarios that have some; else every
    failure alike, even scenarios whose data say 0).
    ``by_product``: per failure and product — demand and shortfall in the product's ``unit``,
    ``served`` fraction and shortfall cost.
    ``shortfalls``: per failure, market and product — demand, shortfall and their ``unit``,
    ``served``.
    ``penalties``: money per unit short, per product; ``units``: each product's unit
    (:meth:`Network.unit_of <resilient_sc.data.Network.unit_of>`).
    ``conditional_on``: what the expected figures of :meth:`summary` are conditional on.
    ``intact``: the design's own figures with nothing failed (``worst_served``, ``value_served``,
    ``shortfall_cost`` and the served fraction of each product): what :meth:`summary` gives when no failure
    touches the design (a plan that contracts nothing and leaves its demand short); ``flow_cost``,
    the flow cost of its replay (money: each ``extra_cost`` is against it), and ``plan_flow_cost``,
    the plan's own (the replay re-routes without the policy's rules on flows: shares, caps, single
    sourcing, a CO2 limit; it is lower where they bind).
    ``intact_shortfalls``: the design's own demand, shortfall and ``served`` per market and
    product with nothing failed (short only under a policy with a ``shortfall_penalty``).
    ``priced``: the penalties were given (``penalty``, or the policy's ``shortfall_penalty``) and
    alone chose the re-routing: the served figures are what those prices serve, which may leave
    short what the design could serve.
    ``levels``: the plan's policy's own service levels where they differ by region or product
    (``{Europe: 0.9, Asia: 0.7}, 1 elsewhere``; empty otherwise): the replay holds one floor for
    every market and product, not these levels.
    """

    failures: pd.DataFrame
    by_product: pd.DataFrame
    shortfalls: pd.DataFrame
    penalties: pd.Series
    conditional_on: str
    intact: Mapping[str, Any] = field(default_factory=dict)
    intact_shortfalls: pd.DataFrame | None = None
    priced: bool = False
    units: Mapping[str, str] = field(default_factory=dict)
    levels: str = ""

    if not TYPE_CHECKING:  # (a type checker would take any attribute of a result)
        def __getattr__(self, name: str) -> NoReturn:
            no_attribute(self, name, {"penalty": "penalties (a mapping product -> money per unit)"})

    @property
    def floor_name(self) -> str:
        """What ``worst_served`` is called in a table: "guaranteed" (t*, the default penalties)
        or "least served" (what penalties given serve, :attr:`priced`)."""
        return "least served" if self.priced else "guaranteed"

    @property
    def floor_words(self) -> str:
        """What ``worst_served`` is, for a legend: the floor every market and product is still
        guaranteed, or at penalties given (:attr:`priced`) the least fraction served by the
        re-routing those prices choose."""
        if self.priced:
            return ("the least fraction of its demand any market gets of any product when flows are "
                    "re-routed at the penalties given for a unit short: what those prices serve, not what "
                    "the design could guarantee")
        return "the fraction of demand every market and product is still guaranteed" + (
            f" ({self.levels_words})" if self.levels else "")

    @property
    def levels_words(self) -> str:
        """Why a market may show less than its own service level (:attr:`levels`; empty without)."""
        return (f"one floor for all at once: the policy's own service levels, {self.levels}, are not "
                "replayed, so a market may show less than its level where another re-routing serves it that "
                "level; the design meets those levels under each failure it was built for"
                if self.levels else "")

    @property
    def intact_row(self) -> str:
        """What a served table's or heatmap's row with nothing failed shows: the design's own flows,
        or, at penalties given (:attr:`priced`), what those prices re-route with nothing failed."""
        if self.priced:
            return "nothing failed, re-routed at these prices"
        return "the design with nothing failed"

    def __repr__(self) -> str:
        """Short: the failures replayed and the worst (the tables are its attributes)."""
        if self.failures.empty:
            return f"StressResult(no failure replayed, {count(len(self.penalties), 'product')})"
        s = self.summary()
        return (f"StressResult({count(len(self.failures), 'failure')}, worst {s['worst_failure'] or 'none'} "
                f"({self.floor_name} {served_fraction(s['worst_served'])}), "
                f"{count(len(self.penalties), 'product')})")

    @property
    def products(self) -> list[str]:
        """The products, in the order of ``penalties``."""
        return [str(p) for p in self.penalties.index]

    def _known(self, product: str | None) -> str | None:
        """``product`` if it is one of :attr:`products` (or None); else a ValidationError with the
        nearest: a misspelt name read as served in full under every failure (API audit)."""
        if product is not None and product not in self.products:
            raise ValidationError([f"(product) | {product!r} is no product of the stress test"
                                   f"{suggest(str(product), self.products)}; its products are "
                                   f"{', '.join(self.products)}"])
        return product

    def weights(self) -> np.ndarray:
        """The failures' weights in the expected figures (summing to 1)."""
        return self.failures["expectation_weight"].to_numpy(float)

    def summary(self) -> dict[str, Any]:
        """The worst failure and the expectations over failures (see ``conditional_on``).

        Keys: failures, hurt (failures that leave more demand short than nothing failed:
        :meth:`hurt`), costlier (failures that leave no more short but cost more: :meth:`costlier`),
        worst_served, worst_failure (the worst of those hurt; blank when none is), worst_market,
        worst_product, expected_value_served, expected_served_by_product, expected_shortfall_cost,
        expected_extra_cost, intact_flow_cost (the flow cost of the design's replay with nothing
        failed, money: what each ``extra_cost`` is measured against), conditional_on, worst (up
        to 3 failure names, worst first).
        """
        f = self.failures
        if f.empty:  # nothing to fail: the design guarantees what it serves intact
            served = self.intact.get("served_by_product", {})
            return {"failures": 0, "hurt": 0, "costlier": 0,
                    "worst_served": self.intact.get("worst_served", 1.0),
                    "worst_failure": "", "worst_market": "", "worst_product": "",
                    "expected_value_served": self.intact.get("value_served", 1.0),
                    "expected_served_by_product": {p: served.get(p, 1.0) for p in self.products},
                    "expected_shortfall_cost": 0.0, "expected_extra_cost": 0.0,
                    "intact_flow_cost": self.intact.get("flow_cost", math.nan),
                    "conditional_on": self.conditional_on, "worst": []}
        w = self.weights()
        worst = self.ranked()
        hurt = self.hurt().reindex(worst.index).to_numpy(bool)
        top = worst.loc[hurt].iloc[0] if hurt.any() else worst.iloc[0]
        per_product = self.by_product.pivot(index="failure", columns="product", values="served")
        per_product = per_product.reindex(index=f["failure"], columns=self.products)
        return {
            "failures": len(f),
            "hurt": int(hurt.sum()),
            "costlier": int(self.costlier().sum()),
            "worst_served": float(top["worst_served"]),
            # no failure is the worst where none leaves more demand short than nothing failed (a
            # design of nothing, short everywhere intact, named a scenario that touched nothing)
            "worst_failure": str(top["failure"]) if hurt.any() else "",
            "worst_market": str(top["worst_market"]),
            "worst_product": str(top["worst_product"]),
            "expected_value_served": float(w @ f["value_served"].to_numpy(float)),
            "expected_served_by_product": {p: float(w @ per_product[p].to_numpy(float))
                                           for p in self.products},
            "expected_shortfall_cost": float(w @ f["shortfall_cost"].to_numpy(float)),
            "expected_extra_cost": float(w @ f["extra_cost"].to_numpy(float)),
            "intact_flow_cost": float(self.intact.get("flow_cost", math.nan)),
            "conditional_on": self.conditional_on,
            "worst": worst["failure"].head(3).tolist(),
        }

    def hurt(self) -> pd.Series:
        """Per failure, whether it leaves more demand short than the design with nothing failed:
        a lower guaranteed fraction, or more shortfall (its cost at the stress penalties). A
        design fully served intact: whether it leaves any demand short."""
        f, intact = self.failures, self.intact
        floor = float(intact.get("worst_served", 1.0))
        short = float(intact.get("shortfall_cost", 0.0))
        return ((f["worst_served"] < min(floor, 1.0) - SERVED_TOL)
                | (f["shortfall_cost"] > short + SERVED_TOL * max(1.0, abs(short))))

    def ranked(self) -> pd.DataFrame:
        """The failures, worst first: lowest guaranteed fraction (to 1e-7, the LP's tolerance: LP
        noise decides no order), then highest impact."""
        floor = (self.failures["worst_served"] / SERVED_TOL).round()
        order = np.lexsort((-self.failures["impact"].to_numpy(float), floor.to_numpy(float)))
        return self.failures.iloc[order]

    def costlier(self) -> pd.Series:
        """Per failure, whether it leaves no more demand short (:meth:`hurt`) but its re-routed
        flows cost more than the design's replay with nothing failed (``extra_cost`` above 0): a
        lost supplier whose demand goes to a dearer one."""
        return ~self.hurt() & (self.failures["extra_cost"] > 0)

    def affected(self) -> pd.Series:
        """Per failure, whether it leaves more demand short or costs more (:meth:`hurt`,
        :meth:`costlier`): the failures a table of the worst lists."""
        return self.hurt() | self.costlier()

    def worst_table(self, n: int | None = None, affected_only: bool = False) -> pd.DataFrame:
        """:meth:`ranked` failures (the first ``n``; with ``affected_only``, of those
        :meth:`affected`) with a ``served <product>`` column per product."""
        f = self.ranked()
        f = f.loc[self.affected().reindex(f.index).to_numpy(bool)] if affected_only else f
        f = f if n is None else f.head(n)
        per_product = self.by_product.pivot(index="failure", columns="product", values="served")
        return f.join(per_product.reindex(columns=self.products).add_prefix("served "), on="failure")

    def served_matrix(self, product: str | None = None) -> pd.DataFrame:
        """Served fraction per failure (rows) and market (columns) of ``product``; without a
        product, the lowest fraction over the market's products (for heatmaps). A design short
        of any product with nothing failed has a first row :data:`NOTHING_FAILED` with its own
        fractions (1 for a product it serves whole: panels side by side share their rows)."""
        product, s = self._known(product), self.shortfalls
        rows = [NOTHING_FAILED] if self.short_intact() else []
        if rows:
            s = pd.concat([self.intact_shortfalls.assign(failure=NOTHING_FAILED), s], ignore_index=True)
        if product is not None:
            s = s.loc[s["product"] == product]
        served = s.groupby(["failure", "market"], sort=False)["served"].min().unstack("market")
        by_name = sorted(served.columns, key=lambda m: (unaccented(str(m)).casefold(), str(m)))  # São, Seoul
        return served.reindex(index=[*rows, *self.failures["failure"]], columns=by_name)

    def short_intact(self, product: str | None = None) -> bool:
        """Whether the design with nothing failed leaves demand of ``product`` (None: of any
        product) short."""
        product, s = self._known(product), self.intact_shortfalls
        if s is None or s.empty:
            return False
        s = s if product is None else s.loc[s["product"] == product]
        return bool((s["served"] < 1 - SERVED_TOL).any())

    def worse_than_intact(self, product: str | None = None) -> list[str]:
        """The failures, in order, that serve some market a smaller fraction of ``product``
        (None: of some product, product by product) than the design with nothing failed -- of a
        design fully served intact, those that leave any of it short."""
        if self._known(product) is None:
            hurt = {f for p in self.products for f in self.worse_than_intact(p)}
            return [f for f in self.failures["failure"] if f in hurt]
        served = self.served_matrix(product).drop(index=NOTHING_FAILED, errors="ignore")
        if self.intact_shortfalls is None:
            baseline = 1.0
        else:
            s = self.intact_shortfalls.loc[self.intact_shortfalls["product"] == product]
            baseline = s.groupby("market", sort=False)["served"].min().reindex(served.columns)
        lower = served.lt(baseline - SERVED_TOL, axis=1).any(axis=1)
        return list(served.index[lower.to_numpy()])

    def to_dict(self) -> dict[str, Any]:
        """The summary, the penalties (``penalties_given``: given, not the stress test's defaults,
        a price that delivers all the design can and no measured loss) and each product's unit,
        and one entry per failure with its served fraction per product and its shortfalls by
        market and product (in the product's unit), as plain JSON types (NaN, as a single failure's
        probability, is None: :func:`~resilient_sc.plain_json.to_plain`)."""
        by_product = {k: g for k, g in self.by_product.groupby("failure", sort=False)}
        short = self.shortfalls.loc[self.shortfalls["shortfall"] > 0]
        by_failure = {k: g for k, g in short.groupby("failure", sort=False)}
        entries = []
        for row in self.failures.to_dict("records"):
            bp = by_product.get(row["failure"], self.by_product.iloc[:0])
            sf = by_failure.get(row["failure"], short.iloc[:0])
            entries.append({
                **row, "served_by_product": dict(zip(bp["product"], bp["served"], strict=True)),
                "shortfall_by_product": dict(zip(bp["product"], bp["shortfall"], strict=True)),
                "shortfalls": sf[["market", "product", "demand", "shortfall", "unit"]].to_dict("records")})
        return to_plain({"summary": self.summary(), "penalties": self.penalties.to_dict(),
                         "penalties_given": self.priced, "units": dict(self.units), "failures": entries})


def failure_kinds(failures: str | Iterable[str]) -> tuple[str, ...]:
    """The failure kinds of a ``failures`` argument (one kind as text counts as one, not as its
    letters); an unknown kind is a :class:`ValidationError`, raised before anything is solved."""
    if not isinstance(failures, str | Iterable):
        raise ValidationError([f"(failures) | {brief(failures)} is a {type(failures).__name__}; give failure "
                               f"kinds among {', '.join(FAILURE_KINDS)}, e.g. ('country', 'hub')"])
    kinds = (failures,) if isinstance(failures, str) else tuple(failures)
    bad = [k for k in kinds if k not in FAILURE_KINDS]
    if bad:
        raise ValidationError([f"(failures) | {k!r} is no failure kind{suggest(str(k), FAILURE_KINDS)}; use "
                               f"{', '.join(FAILURE_KINDS)}" for k in bad])
    return kinds


def replayed_kinds(table: pd.DataFrame) -> tuple[str, ...]:
    """The failure kinds a frontier's ``table`` replayed on each design (``table.attrs`` as
    :func:`~resilient_sc.analysis.frontier.frontier` sets them; a table without them: its
    default, country); () when its designs were not stress-tested."""
    return tuple(table.attrs.get("failures", ("country",)))


def single_failures_words(kinds: Iterable[str]) -> str:
    """``single country failure``, ``single country or hub failure``: what a frontier replays.

    >>> single_failures_words(("country", "hub"))
    'single country or hub failure'
    """
    kinds = list(kinds)
    if not kinds:
        return "single failure"
    return f"single {', '.join(kinds[:-1]) + ' or ' if len(kinds) > 1 else ''}{kinds[-1]} failure"


def design_failures(plan: Plan, net: Network, kinds: Iterable[str], scenarios: bool) -> pd.DataFrame:
    """Failures touching the design: (failure, kind, element, probability)."""
    assert plan.model is not None
    kinds = failure_kinds(kinds)
    s = plan.model.sets
    sub = replace(s, suppliers_table=s.suppliers_table.take(
                      np.flatnonzero(np.isin(s.suppliers_table["supplier"], plan.supplier_ids))),
                  hubs_table=s.hubs_table.take(np.flatnonzero(np.isin(s.hubs_table["hub"], plan.hub_ids))))
    parts = [single_failures(sub, kinds).assign(probability=np.nan)]
    if scenarios and len(net.disruptions):  # in id order, elements too: the rows' order picks nothing
        d = by_id(by_id(net.disruptions, "element").sort_values("kind", kind="stable"), "scenario")
        parts.append(pd.DataFrame({"failure": "scenario:" + d["scenario"], "kind": d["kind"],
                                   "element": d["element"], "probability": d["probability"]}))
    return pd.concat(parts, ignore_index=True)


def default_penalties(model: NetworkModel) -> pd.Series:
    """π_p = unit_value_p + 10 × the dearest supplier→hub→market path for p (money per unit of
    p), or 1 for a product that neither prices: a product's penalty scales with its unit, so
    counting it in pieces rather than thousands changes no figure but its own (a floor of 0.1
    per unit had priced a piece of 1.2e-4 at 1, its impacts 600 times those of thousands)."""
    s, c = model.sets, model.lm.objective()
    products = pd.Index(s.products_table["product"])
    legs = []  # the dearest inbound and outbound leg per hub and origin (product, country)
    for name, table in (("inbound_flow", s.inbound_table), ("outbound_flow", s.flows_table)):
        legs.append(pd.DataFrame({"hub": np.asarray(table["hub"], object),
                                  "origin": np.asarray(table["_origin"]),
                                  "product": np.asarray(table["product"], object),
                                  "cost": model.lm.variables[name].values(c)})
                    .groupby(["hub", "origin", "product"])["cost"].max())
    paths = pd.concat(legs, axis=1, join="inner").sum(axis=1)  # legs that join at a hub
    dearest = paths.groupby(level="product").max().reindex(products).fillna(0.0).to_numpy(float)
    value = np.asarray(s.products_table["unit_value"], float)
    penalty = value + PATH_MULTIPLE * dearest
    return pd.Series(np.where(penalty > 0, penalty, 1.0), index=products, name="penalty")


def stress_test(network: Network, plan: Plan,
                failures: Iterable[str] = STRESS_FAILURES,
                probabilities: Mapping[str, float] | None = None,
                penalty: float | Mapping[str, float] | Literal["default"] | None = None,
                scenarios: bool = True) -> StressResult:
    """Replay every single failure of ``failures`` kinds on ``plan``'s design (and, with
    ``scenarios``, every scenario of the ``disruptions`` table) and report what is still served.

    :param network: the data the plan was solved on (other data, a what-if, is replayed as given,
        with a :class:`~resilient_sc.RunWarning` naming the tables that differ).
    :param plan: a plan from :func:`resilient_sc.solve`; its contracted suppliers and opened
        hubs are the design, fixed during the replay.
    :param failures: failure kinds among ``country``, ``hub``, ``supplier``; only elements of
        the design are failed (a country failure loses its suppliers and hubs at once).
    :param probabilities: failure name (``"country:CN"``) or element (``"CN"``) → probability;
        unnamed failures weigh 0. Without it, the ``disruptions`` scenarios' probabilities
        weight the expectations (single failures weigh 0), or, without scenarios, every single
        failure is equally likely. Expectations are conditional on one failure happening
        (weights normalised; :attr:`StressResult.conditional_on` says so in words).
    :param penalty: money per unit short: one number for all products, a mapping product →
        money, or None: the plan's policy's ``shortfall_penalty`` where it has one (the replay
        with nothing failed is then the plan), else :func:`default_penalties`; :data:`DEFAULT`:
        :func:`default_penalties` whatever the policy.
    :returns: a :class:`StressResult` (per failure: ``worst_served`` t* in [0, 1], where it
        binds, value- and per-product served fractions, change in flow cost and shortfall cost in
        money; per product; per market and product).
    :raises ValidationError: a plan without its model, an unknown failure kind or none to
        replay (a :class:`ResilientSCError`, as is an LP that HiGHS cannot solve).

    >>> from resilient_sc import Policy, examples, solve
    >>> net = examples.electronics()
    >>> plan = solve(net, Policy(survive=("country",), service_level=0.8))
    >>> result = stress_test(net, plan, failures=["country"], scenarios=False)
    >>> bool((result.failures["worst_served"] >= 0.8 - 1e-6).all())
    True
    """
    if isinstance(plan, Plan) and plan.model is None:  # not the order of the arguments (audit)
        raise ValidationError(["(plan) | stress_test needs the plan's model, and this plan has none (a Plan "
                               "built by hand, or given model=None): pass the plan solve() returned"])
    if not isinstance(plan, Plan):
        raise ValidationError([f"(plan) | stress_test needs a plan from solve(), not {type(plan).__name__} "
                               "(the network comes first: stress_test(network, plan))"])
    given_policy(network, None)  # a Network, validated and unchanged since
    plan.check_design_unchanged()
    check_switch("scenarios", scenarios, "replay the disruption scenarios too")
    _check_same_network(network, plan)
    if not network.has_demand:
        raise ValidationError(["(demand) | no row has a demand above 0: no failure can leave a market "
                               "short, there is nothing to stress-test"])
    failures = failure_kinds(failures)
    if not failures and not (scenarios and len(network.disruptions)):
        without = " and the data has no disruptions table" if scenarios else ""
        raise ValidationError([f"(failures) | stress_test has no failure to replay: no failure kind was named"
                               f"{without}; name one or more of country, hub, supplier"])
    # no disruption recourse blocks: scenarios are replayed one by one below
    replay_policy = Policy(shortfall_penalty=1.0, co2_price=plan.policy.co2_price, disruption_weight=0.0)
    model = build_model(_no_lead_times(network), replay_policy)
    _warn_if_other_data(network, plan)
    if penalty is None and plan.policy.shortfall_penalty is not None:
        penalty = plan.policy.shortfall_penalty  # the design's own price of a unit short
    elif isinstance(penalty, str) and penalty == DEFAULT:
        penalty = None
    penalties = _penalties(model, penalty)
    table = design_failures(plan, network, failures, scenarios)
    if probabilities is not None:
        check_probabilities(table, probabilities, network)
    table["weight"], conditional_on = failure_weights(table, probabilities)
    if probabilities is not None:
        table["probability"] = probability_weights(table, probabilities)
    runner = Replay(model, plan, penalties, sheds_by_choice=penalty is not None)
    base = runner.run(set(), set())
    rows, products, shorts = [], [], []
    for name, part in table.groupby("failure", sort=False):
        res = runner.run(*lost_elements(model.sets, part))
        kind = "scenario" if name.startswith("scenario:") else part["kind"].iloc[0]
        rows.append({"failure": name, "kind": kind,
                     "elements": ", ".join(part["element"].astype(str)),
                     "probability": float(part["probability"].iloc[0]),
                     "expectation_weight": float(part["weight"].iloc[0]), **res.figures(base)})
        products.append(res.by_product)
        shorts.append(res.demand)
    units = network.units()
    product_cols = ["failure", "product", "demand", "shortfall", "unit", "served", "shortfall_cost"]
    short_cols = ["failure", "market", "product", "demand", "shortfall", "unit", "served"]
    with_unit = lambda df: df.assign(unit=df["product"].map(units).fillna("units"))  # noqa: E731
    names = [r["failure"] for r in rows]

    def stack(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
        """The failures' frames one under the other, each row with its failure's name."""
        if not parts:
            return pd.DataFrame(columns=cols)
        every = pd.concat(parts, ignore_index=True)
        every["failure"] = np.repeat(np.asarray(names, dtype=object), [len(p) for p in parts])
        return with_unit(every)[cols]
    intact = {**base.figures(base), "flow_cost": base.flow_cost,
              "plan_flow_cost": float(sum(plan.breakdown.get(c, 0.0) for c in FLOW_COMPONENTS)),
              "served_by_product": dict(zip(base.by_product["product"].astype(str), base.by_product["served"],
                                            strict=True))}
    failures = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    total = failures["expectation_weight"].sum()  # over the failures (a scenario has a row per element)
    failures["expectation_weight"] = (failures["expectation_weight"] / total if total > 0
                                      else 1.0 / max(len(failures), 1))
    return StressResult(failures, stack(products, product_cols),
                        stack(shorts, short_cols), penalties, conditional_on, intact,
                        with_unit(base.demand)[short_cols[1:]].copy(), priced=penalty is not None,
                        units=units, levels=_own_levels(plan))


def service_levels(plan: Plan) -> float | pd.DataFrame | None:
    """The ``survive`` service level each market (rows) keeps of each product (columns) under the
    plan's policy, as its model reads it (a market and product no key names: 1; a heatmap framed
    every product at the lowest of a mapping, chips' 90% read as 50%: units audit); one fraction
    when every market and product has the same; None without ``survive``."""
    policy = plan.policy
    if not policy.survive:
        return None
    level = policy.service_level
    if level is None or not isinstance(level, Mapping):  # 0 is a level (it was read as none: 1)
        return 1.0 if level is None else float(level)
    if plan.model is None:  # no model to read the keys with: the lowest
        return float(min(level.values(), default=1.0))
    s = plan.model.sets
    df = pd.DataFrame({"market": s.demand["market"], "product": s.demand["product"],
                       "level": s.requirements_table["service_level"]})
    if df["level"].nunique() <= 1:
        return float(df["level"].iloc[0]) if len(df) else None
    return df.pivot(index="market", columns="product", values="level")


def _own_levels(plan: Plan) -> str:
    """A plan's policy's service levels in words where its model holds them different by market
    or product (:func:`service_levels`: a mapping, its keys' levels and 1 elsewhere, conventions
    §8.4); else empty (one level everywhere, a mapping's too: one floor is that level).

    >>> from resilient_sc import examples, solve
    >>> net = examples.electronics()
    >>> _own_levels(solve(net, Policy(survive=("country",), service_level={"Europe": 0.9, "Asia": 0.7})))
    '{Europe: 0.9, Asia: 0.7}, 1 elsewhere'
    >>> _own_levels(solve(net, Policy(survive=("country",), service_level=0.8)))
    ''
    """
    if not isinstance(service_levels(plan), pd.DataFrame):
        return ""
    return f"{setting(plan.policy.service_level)}, 1 elsewhere"


def _no_lead_times(network: Network) -> Network:
    """``network`` with no lead time: the design replayed is fixed, and a roadmap period's plan
    may hold a candidate whose lead time has passed (counted from the first period, it could not
    operate in the replay: its supplier read as failed already)."""
    return network._derived(**{k: getattr(network, k).assign(lead_time=0) for k in ("suppliers", "hubs")})


def _check_same_network(network: Network, plan: Plan) -> None:
    """A plan is replayed on the data it was solved on: its suppliers and hubs are looked up by id,
    so a plan of other data would be replayed on a design that is not its own (a roadmap's data
    is refused by the model's build, naming roadmap_stress)."""
    missing = [name for _, name in plan.foreign_to(network)]
    if missing:
        raise ValidationError([f"(stress_test) | the plan's design uses {', '.join(sorted(missing)[:5])}, "
                               "not in this network: stress-test a plan on the network it was solved on"])


def _warn_if_other_data(network: Network, plan: Plan) -> None:
    """A plan replayed on data other than its own (a what-if, perhaps) is said to be: a hub of its
    design closed in the data given was left out without a word."""
    differ = network.tables_differing_from(plan.model.network, ignoring=("lead_time",))  # (replayed as 0)
    if differ:
        warn(f"(stress_test) | the network differs from the one the plan was solved on (in "
             f"{and_list(differ)}): its design is replayed on this network's data (a supplier or "
             "hub closed here is left out, capacities and costs are these); stress-test a plan "
             "on the network it was solved on, or solve it again on this one",
             RunWarning)


def _penalties(model: NetworkModel, penalty: float | Mapping[str, float] | None) -> pd.Series:
    """Money per unit short per product: ``penalty`` checked (numbers from 0 to the limit on
    magnitudes, one per product of a mapping), or :func:`default_penalties` for None."""
    products = pd.Index(model.sets.products_table["product"])
    if penalty is None:
        return default_penalties(model)
    given = check_penalty(products, penalty)
    return pd.Series([float(given[p]) for p in products], index=products, name="penalty")


def check_penalty(products: Iterable[str], penalty: float | Mapping[str, float]) -> dict[str, float]:
    """``penalty`` as money per unit short of each of ``products`` (numbers from 0 to the limit on
    magnitudes, one per product of a mapping), or a ValidationError naming what is wrong: before
    any solve, so that a product misspelt costs no time (the CLI checks ``--penalty`` so)."""
    products = list(products)
    given = dict(penalty) if isinstance(penalty, Mapping) else dict.fromkeys(products, penalty)
    top = current().magnitude
    problems = [f"(penalty) | {k!r} is no product; products are {', '.join(map(str, products))}"
                for k in given if k not in products]
    problems += [f"(penalty) | no money per unit short for product {p}" for p in products if p not in given]
    bad = {k: v for k, v in given.items() if k in products and not (is_number(v) and 0 <= v <= top)}
    named = isinstance(penalty, Mapping)
    problems += [f"(penalty) | {f'{k}: ' if named else ''}{v!r:.40} is not money per unit short; give a "
                 f"number from 0 to {top:g}" for k, v in (bad.items() if named else list(bad.items())[:1])]
    if problems:
        raise ValidationError(problems)
    return given


def guarantee_words(served: float) -> str:
    """What a guaranteed fraction (a stress test's ``worst_served``) means, in words.

    >>> guarantee_words(0.0)
    'some market gets none of its demand of some product'
    >>> guarantee_words(0.87654)
    'every market still gets at least 87.6% of its demand of every product'
    """
    if served <= 0:
        return "some market gets none of its demand of some product"
    if served >= 1.0 - SERVED_TOL:  # not "at least 100.0%"
        return "every market still gets all of its demand of every product"
    return f"every market still gets at least {served_fraction(served)} of its demand of every product"


def value_blank_words(network: Network) -> str:
    """Why the value served of a stress test is blank, if it is: the products of no
    ``unit_value`` (a value served needs every product's, else one would silently drop out)."""
    p = network.products
    if weighs_value(p["unit_value"]):
        return ""
    lacking = [repr(str(x)) for x in p.loc[~(p["unit_value"].astype(float) > 0), "product"]]
    return (f" (blank: product{'s' if len(lacking) > 1 else ''} {and_list(lacking)} "
            f"{'have' if len(lacking) > 1 else 'has'} no unit_value, so the demand has no value to weigh: "
            "give every product its unit_value in the products table for this figure)")
