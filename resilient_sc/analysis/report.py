"""Reports for planners: CSV tables, PNG figures and a plain-words ``report.md`` of a stress
test or a premium table (the frontier's and roadmaps' in their own modules, each written with
:mod:`resilient_sc.analysis.report_kit`).

A report folder is written as a whole (:func:`resilient_sc.io.atomic_folder`): it appears
complete or not at all, and replaces an existing non-empty folder only with ``force`` (never
one holding more than report files). CSV text that a spreadsheet would run as a formula is
escaped (:func:`resilient_sc.escaping.escape_frame`). Figures need matplotlib: ``figures=None``
draws them when it is installed (and warns otherwise), ``True`` requires it, ``False`` skips them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..format import (
    and_list,
    count,
    fraction,
    money,
    not_proven,
    pct_points,
    premium_cell,
    served_fraction,
    signed_money,
    whole,
)
from ..output_words import (
    DEFAULT_PENALTY,
    DEFAULT_PRICE_WORDS,
    PREMIUM_TABLE,
    STRESS_ROWS,
    penalty_prices,
    prices_words,
    stress_failures_words,
)
from ..results import NO_PENALTY, penalty_cost, penalty_words
from ..schema import STRESS_FAILURES
from ..solvers.base import Status
from ..wording import listing
from . import figures as fg
from . import maps
from .premium import counts_penalties, floor_caveat, sheds_demand, unproven_sentence
from .report_kit import (
    EVERY_SHARE,
    Writer,
    bullets,
    column_first,
    describe,
    files_section,
    first_reason,
    markdown_table,
    quantities,
    reason_lines,
    report_folder,
    settings_of,
    slug,
    source,
)
from .stress import SERVED_TOL, guarantee_words, service_levels, value_blank_words

if TYPE_CHECKING:
    from ..data import Network
    from ..policy import Policy
    from ..results import Plan
    from .premium import PolicyOutcome
    from .stress import StressResult


# ---- stress -------------------------------------------------------------------------------
def write_stress_report(folder: str | Path, network: Network, plan: Plan, stress: StressResult,
                        figures: bool | None = None, force: bool = False) -> list[Path]:
    """Write ``stress_failures.csv``, ``stress_products.csv``, ``stress_shortfalls.csv``, the
    served-demand heatmap, the network map and ``report.md`` for one design; return the paths."""
    with report_folder(folder, figures, force, network.location) as w:
        return _stress_report(w, network, plan, stress)


def _stress_report(w: Writer, network: Network, plan: Plan, stress: StressResult) -> list[Path]:
    w.csv("stress_failures.csv", stress.failures)
    w.csv("stress_products.csv", stress.by_product)
    w.csv("stress_shortfalls.csv", stress.shortfalls)
    title = design_title(plan.policy)
    heat = w.figure("stress_served.png", lambda: fg.served_heatmap(
        stress, f"Demand served per failure: {title}", service_levels(plan)))
    heading = title[:1].upper() + title[1:]
    drawn = w.figure("network_map.png", lambda: maps.network_map(network, plan, heading)) \
        if maps.has_coordinates(network) else None
    lines = [f"# Stress test of {title}", "",
             f"Data: {source(network)}. Money in the data's currency; {quantities(network)}.", "",
             "## In short", "", *bullets(stress_sentences(plan, stress)), "",
             "## Worst failures", "", *stress_method(stress), "", *failure_table(stress), ""]
    lines += w.image(heat, f"Demand served per market and product under each failure ({EVERY_SHARE})")
    lines += w.image(drawn, "The design with nothing failed: suppliers, hubs, markets and flows")
    lines += files_section(w, {
        "stress_failures.csv": f"one row per failure: {stress_failures_words(stress.floor_name)}",
        **{f"stress_{k}.csv": f"per failure{v}" for k, v in STRESS_ROWS.items()}}, settings_of(plan))
    return w.report(lines)


def default_penalty_words(stress: StressResult | None, apart: bool = False) -> str:
    """What the default penalties are (a price that delivers every unit the design can, not a
    measured loss), when ``stress`` was not priced by the user; else ``""``. ``apart``: the
    prices differ between a roadmap's periods, each listed under its period (not ``stress``'s)."""
    if stress is None or stress.priced:
        return ""
    prices = "each period's, listed under it" if apart else penalty_prices(stress)
    return (f" A unit short is priced at the stress test's default ({prices}: each product's "
            f"{DEFAULT_PENALTY}, per unit of that product), a price "
            f"{DEFAULT_PRICE_WORDS}: the shortfall costs and impacts are at that price (give the stress "
            "test a penalty to use your own).")


def _penalty_basis(stressed: list[PolicyOutcome]) -> str:
    """The price of a unit short the designs' stress tests share, or that they do not share one (the
    app stress-tests each design at its own shortfall_penalty: the report said all were at the
    default prices, its first design's: audit)."""
    bases = {(o.stress.priced, penalty_prices(o.stress)) for o in stressed if o.stress is not None}
    if len(bases) > 1:
        return (" The stress tests price a unit short differently (each design's section says its prices): "
                "their served fractions and shortfall costs are each at their own prices, not on one basis.")
    return default_penalty_words(stressed[0].stress)


def stress_method(stress: StressResult, apart: bool = False) -> list[str]:
    """How a stress test is read, in the report: the floor held at the default penalties, or the
    re-routing that penalties given (``stress.priced``) alone choose (``apart``: the default
    penalties differ between a roadmap's periods, :func:`default_penalty_words`)."""
    if stress.priced:
        measure = ("**least served** is the smallest fraction of its demand that any market gets of any "
                   "product; **where** is that market and product. The re-routing is the cheapest at the "
                   "penalties given for a unit short (per product): a unit that costs more to deliver than "
                   "its penalty is left short even where the design could deliver it (what is left short is "
                   "spread as evenly as those prices allow), so these figures are what those prices serve, "
                   "not what the design can guarantee.")
    else:
        measure = ("**guaranteed** is the largest fraction of demand that every market and product can "
                   "still be given at once (the measure of the `survive` policy); **where** is the market "
                   "and product at that floor. Holding the floor, the cheapest re-routing is chosen, each "
                   "unit short priced per product at the stress test's penalties, so every unit that can "
                   "be delivered is." + default_penalty_words(stress, apart)
                   + (f" It is {stress.levels_words}." if stress.levels else ""))
    return [
        "Each failure is replayed on the fixed design: flows are re-routed through the suppliers and hubs "
        "that remain, within lanes, supplier capacity per product and hub throughput; the policy's rules on "
        "flows (shares, caps, single sourcing, a CO2 limit) are not held, in the design's replay with "
        f"nothing failed either, against which each change is measured. {measure} The "
        "failures are ranked by that fraction, lowest first, then by impact. **value served** weighs the "
        "products by `unit_value`. **change in flow cost** is the change in purchase, handling, transport "
        "and tariff cost: it is negative when less is delivered, and stands next to the **shortfall "
        "cost** of what is not delivered; **impact** is their sum, less any shortfall cost the design "
        "has with nothing failed (the cost the failure adds)."]


def design_title(policy: Policy) -> str:
    """"the cost-optimal design (no resilience policy)" or "the design for <policy>"."""
    return "the cost-optimal design (no resilience policy)" if policy.is_base \
        else f"the design for {describe(policy)}"


# ---- premium ------------------------------------------------------------------------------
def write_premium_report(folder: str | Path, network: Network, outcomes: Sequence[PolicyOutcome],
                         table: pd.DataFrame, figures: bool | None = None, force: bool = False) -> list[Path]:
    """Write ``premium.csv``, the stress failures and shortfalls of every policy (with a
    ``policy`` column), the premium chart, a heatmap and map per policy, and ``report.md``."""
    with report_folder(folder, figures, force, network.location) as w:
        return _premium_report(w, network, outcomes, table)


def _premium_report(w: Writer, network: Network, outcomes: Sequence[PolicyOutcome],
                    table: pd.DataFrame) -> list[Path]:
    w.csv("premium.csv", table)
    stressed = [o for o in outcomes if o.stress is not None]
    if stressed:
        w.csv("stress_failures.csv", pd.concat(
            [o.stress.failures.assign(policy=o.name) for o in stressed if o.stress is not None],
            ignore_index=True).pipe(column_first, "policy"))
        w.csv("stress_products.csv", pd.concat(
            [o.stress.by_product.assign(policy=o.name) for o in stressed if o.stress is not None],
            ignore_index=True).pipe(column_first, "policy"))
        w.csv("stress_shortfalls.csv", pd.concat(
            [o.stress.shortfalls.assign(policy=o.name) for o in stressed if o.stress is not None],
            ignore_index=True).pipe(column_first, "policy"))
    reference = "base" if outcomes[0].policy.is_base else f"the base '{outcomes[0].name}'"
    chart = w.figure("premium.png", lambda: fg.premium_figure(table, reference))
    solved = [o for o in outcomes if o.plan is not None]
    tested = ("Each design is then stress-tested" if all(o.stress is not None for o in solved) else
              f"{len(stressed)} of the {len(solved)} designs are then stress-tested (the others' "
              "**worst served** is blank)")
    stress_words = (f" {tested}: every {replayed(stressed)} is replayed with re-routed flows. **worst "
                    "served** is the fraction of demand that every market and product is still guaranteed "
                    f"under the worst failure{floor_caveat(stressed)}; **expected value served** is the "
                    f"value-weighted fraction served, {expected_basis(stressed, network)}."
                    + _penalty_basis(stressed) if stressed else " No design is stress-tested.")
    lines = ["# Resilience premium report", "",
             f"Data: {source(network)}. The premium of a policy is what its cheapest design costs "
             f"over {_base_words(outcomes[0])}, in % of the base cost.{unproven_sentence(table)}"
             f"{stress_words}", "",
             "## In short", "", *bullets(premium_sentences(outcomes, table)), "",
             "## Premium table", "", *_premium_table(table), ""]
    lines += w.image(chart, "Premium per policy, with the demand served under its worst failure")
    located = maps.has_coordinates(network)
    for i, o in enumerate(outcomes):
        lines += [f"## {o.name}: {describe(o.policy)}", ""]
        if o.plan is None:
            lines += reason_lines("Infeasible" if o.status == "infeasible" else "Not solved", o.reason)
            continue
        lines += bullets(stress_sentences(o.plan, o.stress))
        lines.append("")
        stem = f"{i:02d}_{slug(o.name)}"
        if o.stress is not None:
            stress = o.stress
            lines += w.image(w.figure(f"served_{stem}.png", lambda s=stress, o=o: fg.served_heatmap(
                s, f"Demand served per failure: {o.name}, {design_title(o.policy)}",
                service_levels(o.plan))), f"Demand served under each failure ({o.name}; {EVERY_SHARE})")
        if located:
            lines += w.image(w.figure(f"map_{stem}.png", lambda p=o.plan, o=o: maps.network_map(
                network, p, f"{o.name}: {design_title(o.policy)}")),
                f"Map of the design of {o.name}: its suppliers, hubs and flows")
    lines += files_section(w, {
        "premium.csv": PREMIUM_TABLE,
        "stress_failures.csv": f"per policy and failure: {stress_failures_words()}",
        **{f"stress_{k}.csv": f"per policy, failure{v}" for k, v in STRESS_ROWS.items()}},
        settings_of(solved[0].plan if solved else None))
    return w.report(lines)


# ---- frontier -----------------------------------------------------------------------------
# ---- sentences ----------------------------------------------------------------------------
def premium_sentences(outcomes: Sequence[PolicyOutcome], table: pd.DataFrame) -> list[str]:
    """One plain-words sentence per policy: its premium and its service under the worst failure;
    when the base has a policy of its own, a last one saying the others do not include it."""
    out = [_premium_sentence(o, outcomes[0], row)
           for o, row in zip(outcomes, table.to_dict("records"), strict=True)]
    base = outcomes[0]
    if not base.policy.is_base and len(outcomes) > 1:
        out.append(f"Each policy is solved as written, without the base's own requirements "
                   f"({describe(base.policy)}): a premium compares two designs, not a policy added "
                   "on top of the base's.")
    return out


def replayed(stressed: Sequence[PolicyOutcome]) -> str:
    """``single failure of a country or hub (and every disruption scenario)``: what the stress
    tests of ``stressed`` replayed, from the failures they hold."""
    kinds = {str(f).split(":", 1)[0] for o in stressed if o.stress is not None
             for f in o.stress.failures["failure"]}
    named = [k for k in STRESS_FAILURES if k in kinds]
    text = ("single failure of a " + (" or ".join(named) if len(named) < 3 else "country, hub or supplier")
            if named else "")
    if "scenario" in kinds:
        text = f"{text} (and every disruption scenario)" if text else "disruption scenario"
    return text or "failure"


def expected_basis(stressed: Sequence[PolicyOutcome], network: Network) -> str:
    """What the expected figures of the designs in ``stressed`` are averaged over: the same words
    for all, or each design's own failures (a design with more elements has more of them); and
    why the value served is blank, if it is (:func:`~.stress.value_blank_words`)."""
    given = {o.stress.conditional_on for o in stressed if o.stress is not None}
    if not given:
        return ""
    if len(given) == 1:
        return f"given {given.pop()}{value_blank_words(network)}"
    return ("averaged over each design's own failures (expected_conditional_on in premium.csv says "
            "which: a design with more suppliers or hubs has more failures to replay, so the averages "
            f"are not over the same set){value_blank_words(network)}")


def stress_sentences(plan: Plan, stress: StressResult | None) -> list[str]:
    """The design and how it fares under failures, in plain words."""
    return _design_sentence(plan, stress) + _stress_sentences(stress, plan)


def _premium_sentence(o: PolicyOutcome, base: PolicyOutcome, row: dict[str, Any]) -> str:
    label = o.name  # as typed: a planner searches for it (near_shoring read Near-shoring)
    if o.plan is None:
        return f"{label} ({describe(o.policy)}) {_no_plan_words(o.status)}: {first_reason(o.reason)}"
    what, served, _ = _worst(o.stress)
    reference = _base_words(base)
    proof = f" ({not_proven(o.plan)})" if not_proven(o.plan) else ""
    if o is base:
        text = f"{reference[0].upper()}{reference[1:]}{proof} costs {money(o.plan.objective)}"
        return text + (f"; under {what} {guarantee_words(served)}." if what else ".")
    described = "; ".join(filter(None, [describe(o.policy), not_proven(o.plan)]))
    premium = compared(row.get("premium_pct", math.nan), reference, amount=row.get("premium", math.nan))
    lead = _penalty_lead(o.plan, base.plan, row, reference, _intact_served(o.stress, o.plan))
    text = f"{label} ({described}) {lead or f'costs {premium}'}"
    if not what:
        return text + "."
    base_served = _worst(base.stress)[1]
    base_text = ("base not stress-tested" if math.isnan(base_served)
                 else f"base: {served_fraction(base_served)}")
    return text + f"; under {what} {guarantee_words(served)} ({base_text})."


def _base_words(base: PolicyOutcome) -> str:
    """``the cost-optimal base``, or the base named when it has a policy of its own; of a base plan
    not proven optimal ``the best plan found for the base``: premiums over a cost that may be too high."""
    words = ("the cost-optimal base" if base.policy.is_base
             else f"the base '{base.name}' ({describe(base.policy)})")
    if base.plan is not None and base.plan.status is not Status.OPTIMAL:
        words = f"the best plan found for {'the base' if base.policy.is_base else words[4:]}"
    return words


def _no_plan_words(status: str) -> str:
    """What a policy without a plan is: infeasible, or not solved (a time limit without a plan)."""
    return ("is infeasible on this data" if status == "infeasible"
            else "was not solved within the limits of the solve (no plan kept)")


def _intact_served(stress: StressResult | None, plan: Plan) -> str:
    """``; with nothing failed its plan delivers only 63.4% of the demand's value …``: a design
    that leaves demand short (paying its shortfall penalty) is not cheaper for free. Said from
    the plan's own flows first: the stress test replays the design at its own penalties, at
    which it may serve everything."""
    if (plan.delivery()["shortfall"] > 0).any():
        own = plan.value_served()
        replayed = math.nan if stress is None else stress.intact.get("value_served", math.nan)
        again = ("" if _same_share(own, replayed) else
                 f"; re-routed at the stress test's penalties its design serves {served_fraction(replayed)}")
        what = (f"it already leaves demand short ({plan.short_words()})" if math.isnan(own)
                else f"its plan delivers only {served_fraction(own)} of the demand's value")
        return f"; with nothing failed {what}, paying its shortfall penalty on the rest{again}"
    if stress is None or stress.intact.get("worst_served", 1.0) >= 1.0:
        return ""
    share = stress.intact.get("value_served", math.nan)
    if math.isnan(share):  # no unit values: the guaranteed fraction, product by product
        floor = stress.intact["worst_served"]
        return f"; with nothing failed it already leaves demand short: {guarantee_words(floor)}"
    return (f"; with nothing failed its design serves only {served_fraction(share)} of the demand's value"
            + _own_delivery(stress, plan))


def _own_delivery(stress: StressResult, plan: Plan) -> str:
    """`` (re-routed at the stress test's penalties; its plan delivers 8.1% at its policy's
    shortfall penalty)`` where the two differ: the stress test replays the design at its own
    penalties, and a plan whose penalty is cheaper than serving delivers less."""
    own, replayed = plan.value_served(), stress.intact.get("value_served", math.nan)
    if _same_share(own, replayed):
        return ""
    at = " at its policy's shortfall penalty" if plan.policy.shortfall_penalty is not None else ""
    return f" (re-routed at the stress test's penalties; its plan delivers {served_fraction(own)}{at})"


def _same_share(a: float, b: float) -> bool:
    """Whether two served fractions read alike (or one is unknown): within 5e-4, what one decimal
    of a percentage shows."""
    return math.isnan(a) or math.isnan(b) or abs(a - b) < 5e-4


def compared(pct: float, reference: str = "", digits: int = 1, amount: float = math.nan) -> str:
    """``2.6% more than <reference>``, ``1.0% less …``, a premium that ``digits`` decimals hide
    with up to two more (``0.01% more``: 3,500 of 24.5M is a cost, not "the same"), or, within
    what those hide, ``the same as <reference> (within 0.0005%)``: never a saving or a premium
    of 0.0%. Within what they hide, a premium ``amount`` (money) of a cent or more is said in
    money: ``305,438.18 more than <reference> (under 0.0005%)`` (a cost of 1e11 hid it); of a
    reference that costs nothing (``pct`` NaN) in money alone.

    >>> compared(float("nan"), "the base", amount=5.0), compared(float("nan"), "the base", amount=0.0)
    ('5.00 more than the base', 'the same as the base')
    >>> compared(float("nan"), "the base")  # it said 'the same' of what it did not know
    'an amount not known (nothing to compare with)'
    """
    if math.isnan(pct) and math.isnan(amount):
        return "an amount not known (nothing to compare with)"
    than = ["than", reference] if reference else []
    shown = (None if math.isnan(pct) else  # a base of cost 0: no percentage, the money says it
             next((d for d in range(digits, digits + 3) if float(pct_points(pct, d)[:-1]) != 0), None))
    if shown is not None:
        return " ".join([pct_points(abs(pct), shown), "more" if pct >= 0 else "less", *than])
    hidden = [] if math.isnan(pct) else [f"{0.5 * 10 ** -(digits + 2):.{digits + 3}f}%"]  # what they hide
    if not math.isnan(amount) and abs(amount) >= 0.005:  # a cent or more
        return " ".join([money(abs(amount)), "more" if amount >= 0 else "less", *than,
                         *(f"(under {h})" for h in hidden)])
    return " ".join(["the same", *(["as", reference] if reference else []),
                     *(f"(within {h})" for h in hidden)])


def _penalty_lead(plan: Plan, base: Plan | None, row: dict[str, Any], reference: str,
                  served: str = "") -> str:
    """The premium of a plan whose cost counts shortfall or disruption-scenario cost (a policy
    with ``shortfall_penalty``; empty when it counts none): its network's first, then its
    cost's, which counts them where the base's usually does not (leading with the cost's, 14.6%
    where the network's was 1.6%, was the number a planner quoted); ``served``: what the plan
    serves with nothing failed (:func:`_intact_served`)."""
    penalty = penalty_cost(plan)
    if abs(penalty) <= NO_PENALTY or base is None:
        return ""
    base_penalty = penalty_cost(base)
    whose = ("which the base's cost does not count" if abs(base_penalty) <= NO_PENALTY
             else f"against {money(base_penalty)} in the base's")
    network = (plan.objective - penalty) - (base.objective - base_penalty)  # money, of a base at 0 too
    cost = compared(row.get("premium_pct", math.nan), amount=row.get("premium", math.nan))
    return (f"costs {compared(row.get('network_premium_pct', math.nan), reference, amount=network)} in its "
            f"network (design and flows); its cost, with {penalty_words(plan)} in it, {whose}, is {cost}"
            f"{served}")


#: the ids a report's design sentence names, sorted, before it counts the rest
DESIGN_IDS = 15


def _design_sentence(plan: Plan, stress: StressResult | None) -> list[str]:
    def listed(n: int, what: str, ids: list[str]) -> str:  # the first 15: 51 ids buried the sentence
        return f"{count(n, what)} ({listing(ids, DESIGN_IDS)})" if n else f"no {what}"

    proof = (f" (the best found within the limits of the solve; {not_proven(plan)}; a cheaper design may "
             "exist)") if not_proven(plan) else ""
    suppliers, hubs = listed(len(plan.suppliers), "supplier", plan.supplier_ids), listed(
        len(plan.hubs), "hub", plan.hub_ids)
    penalties = penalty_cost(plan)
    part = (f" ({penalty_words(plan)} in it: its network alone costs "
            f"{money(plan.objective - penalties)})") if abs(penalties) > NO_PENALTY else ""
    short = plan.short_words() if stress is None or stress.intact.get("worst_served", 1.0) >= 1.0 else ""
    short = (f" With nothing failed its plan leaves demand short, paying its shortfall penalty on it: "
             f"{short}.") if short else ""  # else the stress sentences say it
    return [f"The design{proof} contracts {suppliers} and opens {hubs} at a total cost of "
            f"{money(plan.objective)}{part}.{short}"]


def _stress_sentences(stress: StressResult | None, plan: Plan) -> list[str]:
    if stress is None:
        return ["The design was not stress-tested."]
    if stress.failures.empty:
        return ["No failure was replayed."]
    f, s = stress.failures, stress.summary()
    intact = _intact_sentence(stress, plan)
    said = replayed_words(s, bool(intact))
    out = [*intact, *replay_sentence(stress), f"{said[0].upper()}{said[1:]}."]
    against = "the design's replay with nothing failed"
    if s["hurt"]:  # then some demand is short: a worst failure named
        worst = f.loc[f["failure"] == s["worst_failure"]].iloc[0]
        out.append(f"The worst is {failure_words(worst)}{tied_with(f, worst)}: "
                   f"{guarantee_words(worst['worst_served'])} (lowest: "
                   f"{worst['worst_product']} in {worst['worst_market']}{others_at_floor(stress, worst)}); "
                   f"served per product: {served_per_product(stress, worst['failure'])} of its demand.")
        extra = worst["extra_cost"]
        flows = (f"{money(-extra)} less than {against} (less is delivered)" if extra < 0
                 else f"{money(extra)} more than {against}")
        out.append(f"Under it the re-routed flows cost {flows}, and the units "
                   f"short cost {money(worst['shortfall_cost'])} at {prices_words(stress)}: an impact of "
                   f"{money(worst['impact'])}.")
    if s["costlier"]:  # a lost supplier whose demand a dearer one serves: felt in cost alone
        dear = f.loc[stress.costlier().to_numpy(bool)].sort_values("extra_cost", ascending=False).iloc[0]
        leave, raise_ = ("leaves", "raises") if s["costlier"] == 1 else ("leave", "raise")
        out.append(f"{count(s['costlier'], 'failure').capitalize()} {leave} no more demand short but "
                   f"{raise_} the flow cost; "
                   f"the dearest is {failure_words(dear)}{tied_with(f, dear)}: its re-routed flows cost "
                   f"{money(dear['extra_cost'])} more than {against}.")
    what, served, name = _worst(stress)
    if what and name != s["worst_failure"]:
        tied = tied_with(f, f.loc[f["failure"] == name].iloc[0])  # two suppliers alike: neither singled out
        out.append(f"Under {what} ({name}) {guarantee_words(served)}." if not tied else
                   f"Under {what}, {name}{tied}, {guarantee_words(served)}.")
    share = s["expected_value_served"]
    served_text = (f"{served_fraction(share)} of the demand's value is served on average"
                   if not math.isnan(share)
                   else "the served share of each product's units is on average "
                   + served_per_product(stress, None, s["expected_served_by_product"]))
    at = "" if stress.priced else " (at the default prices)"
    out.append(f"Given {s['conditional_on']}, {served_text}, with an expected shortfall cost of "
               f"{money(s['expected_shortfall_cost'])}{at} and an expected change in flow cost of "
               f"{signed_money(s['expected_extra_cost'])}." + _harmless_words(stress))
    return out


def replayed_words(summary: Mapping[str, Any], short_intact: bool) -> str:
    """``of 32 failures replayed, 15 leave some demand short`` (of a design short with nothing
    failed, ``more demand short than with nothing failed``), from a stress test's summary."""
    more = "more demand short than with nothing failed" if short_intact else "some demand short"
    hurt = summary["hurt"]
    return (f"of {count(summary['failures'], 'failure')} replayed, {hurt} "
            f"{'leaves' if hurt == 1 else 'leave'} {more}")


def replay_sentence(stress: StressResult) -> list[str]:
    """What the failures' changes in flow cost are measured against, where it is not the plan's
    own flow cost: the replay re-routes without the policy's rules on flows (a near-shoring
    design's replay with nothing failed cost 4.4M less than its plan's flows, and a failure's
    change was read as against the plan's)."""
    replay, own = stress.intact.get("flow_cost", math.nan), stress.intact.get("plan_flow_cost", math.nan)
    if not abs(replay - own) > 1e-7 * max(1.0, abs(own)):  # equal, or not known
        return []
    why = ("the replay re-routes without the policy's rules on flows (shares, caps, single sourcing, a CO2 "
           "limit)" if replay < own else "the replay delivers what the plan leaves short")
    return [f"Each failure's change in flow cost is against the design's replay with nothing failed, whose "
            f"flows cost {money(replay)} where the plan's own flows cost {money(own)}: {why}."]


def _harmless_words(stress: StressResult) -> str:
    """`` Of those, la_port_strike (H_Los_Angeles) changes nothing for this design and weighs 35.7%
    in these averages.``: scenarios that hit no supplier or hub the design uses lift the expected
    figures for reasons unrelated to its resilience (roadmap audit); '' when none weighs."""
    f = stress.failures
    idle = f.loc[(f["kind"] == "scenario") & (f["expectation_weight"] > 0)
                 & (f["worst_served"] >= 1.0 - SERVED_TOL) & (f["impact"].abs() < NO_PENALTY)
                 & (f["extra_cost"].abs() < NO_PENALTY)]
    if idle.empty:
        return ""
    names = [failure_words(r).removeprefix("scenario:") for _, r in idle.iterrows()]
    one = len(names) == 1
    weight = fraction(float(idle["expectation_weight"].sum()))
    return (f" Of those, {and_list(names)} {'changes' if one else 'change'} nothing for this design and "
            f"{'weighs' if one else 'weigh'} {weight} in these averages.")


def _intact_sentence(stress: StressResult, plan: Plan) -> list[str]:
    """What the design leaves short with nothing failed (nothing, unless its policy's shortfall
    penalty is cheaper than serving), which the failures' shortfall costs include."""
    intact = stress.intact
    if intact.get("worst_served", 1.0) >= 1.0:
        return []
    value = intact.get("value_served", math.nan)
    share = ("" if math.isnan(value) else
             f"; {served_fraction(value)} of the demand's value is served{_own_delivery(stress, plan)}")
    return [f"With nothing failed the design already leaves demand short: "
            f"{guarantee_words(intact['worst_served'])}{share}, at a shortfall cost of "
            f"{money(intact.get('shortfall_cost', 0.0))} at the stress test's {penalty_prices(stress)}. Each "
            "failure's shortfall cost below includes it; its impact is what the failure adds."]


def tied_with(f: pd.DataFrame, worst: Any) -> str:
    """`` (tied with country:MX)``: the other failures with the worst one's floor and impact, which
    the ranking cannot tell apart (they fail the same elements in effect)."""
    same = f.loc[(f["failure"] != worst["failure"])
                 & np.isclose(f["worst_served"], worst["worst_served"], rtol=0, atol=SERVED_TOL)
                 & np.isclose(f["impact"], worst["impact"], rtol=1e-9, atol=1e-6), "failure"].tolist()
    more = f" and {len(same) - 3} more" if len(same) > 3 else ""
    return f" (tied with {', '.join(same[:3])}{more})" if same else ""


def others_at_floor(stress: StressResult, row: Any) -> str:
    """`` and 12 other market-products``: where else a failure leaves the lowest fraction."""
    s = stress.shortfalls
    n = int(((s["failure"] == row["failure"]) & (s["served"] <= row["worst_served"] + 1e-6)).sum()) - 1
    return f" and {count(n, 'other market-product')}" if n > 0 else ""


def failure_words(row: Any) -> str:
    """``country:CN`` or ``scenario:x (H_Busan, S_KR_Ochang)``."""
    name = str(row["failure"])
    return f"{name} ({row['elements']})" if name.startswith("scenario:") else name


def served_per_product(stress: StressResult, failure: str | None,
                       served: Mapping[str, float] | None = None) -> str:
    """``cells 90.0%, chips 100.0%``: the served fraction of each product, never summed."""
    if served is None:
        bp = stress.by_product.loc[stress.by_product["failure"] == failure]
        served = dict(zip(bp["product"], bp["served"], strict=True))
    return ", ".join(f"{p} {served_fraction(v)}" for p, v in served.items())


def _worst(stress: StressResult | None) -> tuple[str, float, str]:
    """(phrase, guaranteed fraction, failure) of the worst single country failure, else of the
    worst single failure, ranked as :meth:`StressResult.ranked` ranks them (lowest guaranteed
    fraction, then highest impact), unless another failure replayed (a scenario) is worse: then
    of that one; ("", nan, "") without one."""
    if stress is None or stress.failures.empty:
        return "", math.nan, ""
    f = stress.ranked()
    single = f.loc[~f["failure"].str.startswith("scenario:")]
    country = single.loc[single["failure"].str.startswith("country:")]
    pick, what = (country, "the worst single country failure") if len(country) else (
        (single, "the worst single failure") if len(single) else (f, "the worst scenario"))
    row = pick.iloc[0]
    if f["worst_served"].iloc[0] < row["worst_served"] - SERVED_TOL:  # a worse one (a scenario): never rosier
        row, what = f.iloc[0], f"the worst failure replayed ({f['failure'].iloc[0]})"
    return what, float(row["worst_served"]), str(row["failure"])


# ---- tables -------------------------------------------------------------------------------
def _premium_table(table: pd.DataFrame) -> list[str]:
    cols = {"policy": str, "status": str, "cost": money, "premium_pct": premium_cell,
            **network_premium_columns(table), "worst_served": served_fraction,
            "expected_value_served": served_fraction,
            "local_share": fraction, "allied_share": fraction, "n_suppliers": whole, "n_hubs": whole}
    names = {"premium_pct": "premium", "network_premium_pct": "network premium",
             "intact_served": "served, nothing failed", "worst_served": "worst served",
             "expected_value_served": "expected value served",
             "local_share": "local share of demand*", "allied_share": "allied share of demand*",
             "n_suppliers": "suppliers", "n_hubs": "hubs"}
    return [*markdown_table(table, cols, names), "",
            "\\* over all markets and products, weighted by the demand's value (by units with one product, "
            "each product equally when some has no unit value)."]


def failure_table(stress: StressResult, n: int = 10, where: str = "stress_failures.csv") -> list[str]:
    """The ``n`` worst failures of those that leave more demand short than nothing failed or cost
    more, and how many others add nothing (a failure of no effect is never listed as a worst
    one); the rest are in the file ``where``."""
    f = stress.worst_table(affected_only=True)
    if f.empty:
        return unlisted(stress, where=where)
    cols = {"failure": str, "worst_served": served_fraction, "worst_market": str, "worst_product": str,
            **{f"served {p}": served_fraction for p in stress.products},
            "value_served": served_fraction, "extra_cost": money, "shortfall_cost": money, "impact": money}
    table = markdown_table(f.head(n), cols, {
        "worst_served": stress.floor_name, "worst_market": "where: market",
        "worst_product": "product", "value_served": "value served", "extra_cost": "change in flow cost",
        "shortfall_cost": "shortfall cost"})
    rest = unlisted(stress, min(n, len(f)), where)
    return [*table, "", *rest] if rest else table


def unlisted(stress: StressResult, listed: int | None = None,
             where: str = "stress_failures.csv") -> list[str]:
    """What a table of the worst failures leaves out: beyond the ``listed`` ones that leave more
    demand short than the design with nothing failed or cost more
    (:meth:`~resilient_sc.analysis.stress.StressResult.affected`), how many more do (and that
    ``where`` has them), and how many do neither (none of either: an empty list)."""
    affected, n = int(stress.affected().sum()), len(stress.failures)
    quiet, more = n - affected, affected - listed if listed is not None else 0
    leave, cost, be = ("leaves", "costs", "is") if more == 1 else ("leave", "cost", "are")
    out = [f"{count(more, 'more failure')} that {leave} demand short or {cost} more (ranked below those "
           f"listed, but more than with nothing failed) {be} in {where}."] if more > 0 else []
    if quiet == n:
        return [f"No failure of the {count(n, 'failure')} replayed leaves more demand short or costs more "
                "than the design with nothing failed."] if n else ["No failure was replayed."]
    verbs = ("leaves", "costs", "is") if quiet == 1 else ("leave", "cost", "are")
    return out + ([f"{count(quiet, 'other failure')} {verbs[0]} no more demand short and {verbs[1]} no more "
                   f"than the design with nothing failed, and {verbs[2]} not listed."] if quiet else [])


def network_premium_columns(table: pd.DataFrame) -> dict[str, Callable[[Any], str]]:
    """The network premium column, for a table where some cost counts penalties, and the share
    served with nothing failed when some plan sheds demand (:func:`~.premium.sheds_demand`)."""
    if not counts_penalties(table):
        return {}
    return {"network_premium_pct": premium_cell, **({"intact_served": served_fraction}
                                                  if sheds_demand(table) else {})}
