"""Warnings of legal but suspicious data: a tariff rate typed as a percentage or on a product of
no unit value, scenario probabilities adding up to over 1 or one failure under two scenario
names, ids (and regions, blocs) that differ only in case, opening or closing costs that no plan
can pay, demands within the solver's tolerance, a hub's capacity over products of different
units, and suppliers and hubs that no flow can use. Each is a line
``(table[, row N 'id']) | what, and what to do``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .example_data import EXAMPLE_ROWS
from .format import and_list, count
from .schema import BLANK_SUSPECT, BLANKS
from .wording import each_row, listing, look_alike_key, quote, where

Frames = Mapping[str, pd.DataFrame]

#: the id column of each table whose ids other tables name
ID_COLUMNS = {"suppliers": "supplier", "hubs": "hub", "markets": "market", "countries": "country",
              "products": "product", "periods": "period", "disruptions": "scenario"}


def suspicious(t: Frames) -> list[str]:
    """Every warning of this module for the typed tables ``t``."""
    return (tariff_warnings(t) + unvalued_tariff_warnings(t) + period_tariff_warnings(t)
            + disruption_warnings(t) + case_warnings(t) + unpaid_cost_warnings(t) + tiny_demand_warnings(t)
            + huge_quantity_warnings(t) + blank_warnings(t) + mixed_unit_warnings(t)
            + zero_capacity_warnings(t) + idle_warnings(t) + template_warnings(t))


def zero_capacity_warnings(t: Frames) -> list[str]:
    """A hub of capacity 0 not closed: it can carry nothing, yet it may be opened (its status, or
    min_hubs) and its suppliers count toward min_suppliers (a lane to a hub that reaches a market);
    most likely a 0 typed for no limit, which a blank capacity is."""
    df = t.get("hubs")
    if df is None or "capacity" not in df.columns:
        return []
    capacity = df["capacity"].to_numpy(dtype=float)
    status = df["status"].to_numpy(dtype=str) if "status" in df.columns else np.full(len(df), "")
    warnings: list[str] = []
    each_row(warnings, "hubs", np.flatnonzero((capacity == 0) & (status != "closed")),
             lambda pos: (f"{where('hubs', df, pos)} | capacity 0: the hub can carry nothing (a blank "
                          "capacity is unlimited); leave it blank for no limit, or set status closed"),
             "a hub not closed has capacity 0")
    return warnings


def idle_warnings(t: Frames) -> list[str]:
    """A supplier or hub not closed that no flow can use: a supplier that no supplier_products
    row names or no lane leaves, a hub that no lane from a supplier reaches or none leaves for a
    market; a product that no demand or supplier_products row names (a 'Total' row under the
    products sheet read as a product). Every plan leaves it idle without a word (of status open,
    or a hub opened for min_hubs, pays for it all the same), which reads as 'not competitive'
    where a row was forgotten. One line per row, its first reason."""
    lanes = t.get("lanes")
    if lanes is None:
        return []
    origins, destinations = set(lanes["origin"]), set(lanes["destination"])
    warnings: list[str] = []
    suppliers, made = t.get("suppliers"), t.get("supplier_products")
    if suppliers is not None and made is not None:
        ids = suppliers["supplier"]
        _idle(warnings, "suppliers", suppliers, [
            (~ids.isin(set(made["supplier"])), "no supplier_products row names it", "add what it makes"),
            (~ids.isin(origins), "no lane leaves it for a hub", "add its supplier -> hub lanes")],
            "no plan can buy from this supplier")
    hubs = t.get("hubs")
    if hubs is not None:
        ids = hubs["hub"]
        _idle(warnings, "hubs", hubs, [
            (~ids.isin(destinations), "no lane reaches it from a supplier", "add supplier -> hub lanes"),
            (~ids.isin(origins), "no lane leaves it for a market", "add hub -> market lanes")],
            "no flow can pass through this hub")
    products, demand = t.get("products"), t.get("demand")
    if products is not None and demand is not None and made is not None:
        named = set(demand["product"]) | set(made["product"])
        each_row(warnings, "products", np.flatnonzero((~products["product"].isin(named)).to_numpy()),
                 lambda pos: f"{where('products', products, pos)} | no demand or supplier_products row names "
                             "it, so it plays no part in any plan; delete the row (a totals row?) or add "
                             "its demand and suppliers",
                 "no demand or supplier_products row names the product")
    return warnings


def _idle(warnings: list[str], table: str, df: pd.DataFrame, reasons: list[tuple[pd.Series, str, str]],
          outcome: str) -> None:
    kind = ID_COLUMNS[table]
    left = (df["status"] != "closed").to_numpy() if "status" in df.columns else np.ones(len(df), bool)
    for idle, reason, fix in reasons:
        def line(pos: int, reason: str = reason, fix: str = fix) -> str:
            return f"{where(table, df, pos)} | {reason}, so {outcome}; {fix}, or set its status closed"

        each_row(warnings, table, np.flatnonzero(idle.to_numpy() & left), line,
                 reason.replace(" it", f" the {kind}", 1))
        left = left & ~idle.to_numpy()


def mixed_unit_warnings(t: Frames) -> list[str]:
    r"""A hub with a capacity, which sums the inbound units of every product (the data
    contract), that can receive products the products table counts in different ``unit``\ s:
    its capacity adds pieces to tonnes. The products a hub can receive are those its suppliers
    make (supplier_products) on a lane to it for that product or for all."""
    products, hubs = t.get("products"), t.get("hubs")
    if products is None or hubs is None or "unit" not in products or not (products["unit"] != "units").any():
        return []
    units = dict(zip(products["product"], products["unit"], strict=True))
    lanes, made = t["lanes"], t["supplier_products"]
    inbound = lanes.loc[lanes["destination"].isin(hubs["hub"]), ["origin", "destination", "product"]]
    pairs = inbound.merge(made[["supplier", "product"]].drop_duplicates(), left_on="origin",
                          right_on="supplier", suffixes=("_lane", ""))
    pairs = pairs.loc[pairs["product_lane"].isin(("all", "")) | (pairs["product_lane"] == pairs["product"])]
    received = pairs.groupby("destination")["product"].agg(lambda ps: sorted(set(ps)))
    mixed = [pos for pos in np.flatnonzero(np.isfinite(hubs["capacity"].to_numpy(dtype=float)))
             if len({units.get(p, "units") for p in received.get(hubs["hub"].iloc[pos], [])}) > 1]
    if not mixed:
        return []
    both = sorted(set().union(*(received[hubs["hub"].iloc[pos]] for pos in mixed)))
    by_unit = pd.Series([units.get(p, "units") for p in both], index=both)
    said = "; ".join(f"{', '.join(ps.index)}: {u}" for u, ps in by_unit.groupby(by_unit, sort=True))
    which = (f"{where('hubs', hubs, mixed[0])} | the capacity of this hub" if len(mixed) == 1 else
             f"(hubs) | the capacity of {len(mixed)} hubs ({listing(hubs['hub'].iloc[mixed])})")
    return [f"{which} sums the inbound units of every product, and {'it' if len(mixed) == 1 else 'each'} "
            f"can receive products counted in different units ({said}): give the products one unit "
            "(pallets, t) or leave the capacity blank"]


#: what a blank is read as, what that means and what to write, for the columns that are no cost
BLANK_WORDS = {"co2": ("0", "no emissions", "0 if it emits none, else its CO2 per unit"),
               "weight": ("1", "a full period's weight", "1 if meant, else its weight"),
               "capacity": ("unlimited", "no limit", "unlimited if meant, else its capacity")}


def blank_warnings(t: Frames) -> list[str]:
    """A cost, CO2, weight or capacity (:data:`~resilient_sc.schema.BLANK_SUSPECT`) left blank, so
    its default (0: free; a hub's capacity unlimited), in rows of a column that other rows fill: a
    quote not yet in reads as a free supplier the plan favours."""
    out: list[str] = []
    for table, columns in BLANK_SUSPECT.items():
        df = t.get(table)
        blanks = {} if df is None else df.attrs.get(BLANKS, {})
        for col in columns:
            blank = blanks.get(col, ())
            if not 0 < len(blank) < len(df):
                continue
            given = len(df) - len(blank)
            if "status" in df:  # a closed supplier or hub pays no cost: its blank is no quote missing
                blank = [pos for pos in blank if df["status"].iloc[pos] != "closed"]
            read, none, fill = BLANK_WORDS.get(col, ("0", "free", "0 if it is free, else the cost"))
            each_row(out, table, blank,
                     lambda pos, c=col, d=df, n=given, tb=table, r=read, z=none, w=fill:
                     f"{where(tb, d, pos)} | {c} is blank, so {r} ({z}), though {count(n, 'other row')} "
                     f"give{'s' * (n == 1)} one: write {w}",
                     f"{col} is blank ({read}, {none}) where other rows give one")
    return out


#: the columns that group countries by name (a policy names their values)
GROUP_COLUMNS = {"countries": ("region", "bloc")}


def case_warnings(t: Frames) -> list[str]:
    """Ids of one table, or regions or blocs, that differ only in case, or in characters that do
    not show (:func:`~.wording.look_alike_key`: a zero-width joiner, a no-break space, fullwidth
    letters, a Cyrillic 'С' for a Latin 'C'): two suppliers (ids are case-sensitive) printed as
    one, or a country outside its bloc ('Atlantic' beside 'atlantic': not an ally), most likely
    one typed twice."""
    out = []
    columns = [(table, col, "ids") for table, col in ID_COLUMNS.items()]
    columns += [(table, col, f"{col}s") for table, cols in GROUP_COLUMNS.items() for col in cols]
    for table, col, what in columns:
        if table not in t or col not in t[table]:
            continue
        ids = pd.Series(t[table][col].astype(str).unique())
        ids = ids[ids != ""]
        folded = ids.str.casefold()
        odd = ~ids.map(str.isascii).astype(bool)  # few: the rest fold by case alone, fast (200k ids)
        if odd.any():
            folded[odd] = [look_alike_key(i) for i in ids[odd]]
        clash = folded.duplicated(keep=False)  # few or none: only those grouped (200k ids took 1.6 s)
        for _, same in ids[clash].groupby(folded[clash]):
            if len(same) > 1:
                named = listing([quote(i) for i in same])
                how = ("differ only in case" if same.str.casefold().nunique() == 1 else
                       "read alike (they differ only in case, width, letters of other scripts drawn alike "
                       "such as a Cyrillic 'С' for a Latin 'C', or characters that do not show such as a "
                       "zero-width joiner or a no-break space)")
                out.append(f"({table}) | {what} {named} {how}: they are {len(same)} different "
                           f"{col}s ({what} are case-sensitive)")
    return out


#: a tariff rate from this fraction of unit_value on is warned of: 25 is 2,500%, likely 25% meant
#: (the highest rates in force are near 2.5)
TARIFF_WARN = 5.0


def tariff_warnings(t: Frames) -> list[str]:
    """A warning per tariff row whose rate is over 1 (100% of the product's unit_value): a rate is
    a fraction of it, and a percentage typed as a number (25 for 25%; 2.7 for 2.7%, alone or among
    rates of 0.1: read as 270%, without a word, where no rate was a fraction: spreadsheets audit)
    is legal; said more firmly from :data:`TARIFF_WARN` on, or beside rates that are fractions."""
    if "tariffs" not in t:
        return []
    df = t["tariffs"]
    rate = df["rate"].to_numpy(dtype=float)
    warnings: list[str] = []
    each_row(warnings, "tariffs", np.flatnonzero(rate >= TARIFF_WARN),
             lambda pos: f"{where('tariffs', df, pos)} | rate {rate[pos]:g} is {rate[pos]:,.0%} of "
                         f"unit_value (a rate is a fraction); for {rate[pos]:g}% write {rate[pos] / 100:g}",
             f"rate is {TARIFF_WARN:.0%} of unit_value or more")
    fractions = rate[(rate > 0) & (rate < 1)]  # 2.5 and 4.5 (common rates in %) beside rows of 0.1-0.5
    beside = (f"where the other rates are fractions (at most {float(fractions.max()):g})" if len(fractions)
              else "a rate is a fraction, and duties over 100% are rare")
    each_row(warnings, "tariffs", np.flatnonzero((rate > 1) & (rate < TARIFF_WARN)),  # 1: a 100% duty
             lambda pos: f"{where('tariffs', df, pos)} | rate {rate[pos]:g} is {rate[pos]:,.0%} of "
                         f"unit_value, {beside}; for {rate[pos]:g}% write {rate[pos] / 100:g}",
             "rate is over 100% of unit_value")
    return warnings


def period_tariff_warnings(t: Frames) -> list[str]:
    """A warning per tariff row of all products in a period, beside rows of one product on the
    same lane for every period that no row of that period replaces: those products keep their
    own rate in the period (a period's row replaces the row of the same keys only; 'CN, US,
    all, 2029' at 1.0 left a 'CN, US, chips' row at 0 in force, chips duty-free in 2029)."""
    df = t.get("tariffs")
    if df is None or not len(df) or "period" not in df or "product" not in df:
        return []
    period, product = df["period"].astype(str).to_numpy(), df["product"].astype(str).to_numpy()
    lane = (df["origin_country"].astype(str) + " → " + df["destination_country"].astype(str)).to_numpy()
    alls = np.flatnonzero((product == "all") & (period != ""))
    if not len(alls):
        return []
    given = set(zip(lane, product, period, strict=True))
    every: dict[str, list[str]] = {}
    for pos in np.flatnonzero((product != "all") & (period == "")):
        every.setdefault(lane[pos], []).append(product[pos])
    kept = {int(pos): [p for p in every.get(lane[pos], []) if (lane[pos], p, period[pos]) not in given]
            for pos in alls}
    warnings: list[str] = []
    each_row(warnings, "tariffs", [pos for pos in alls if kept[int(pos)]],
             lambda pos: (f"{where('tariffs', df, pos)} | sets every product's rate {lane[pos]} in "
                          f"{quote(period[pos])} but {listing([quote(p) for p in kept[pos]])}, whose own "
                          f"row holds in every period, keep{'s' * (len(kept[pos]) == 1)} it: add a row of "
                          f"that product for {quote(period[pos])} to change it too"),
             "a rate for all products in a period leaves a product's own rate in force")
    return warnings


def unvalued_tariff_warnings(t: Frames) -> list[str]:
    """Tariff rows with a positive rate on products of no ``unit_value``: a duty is rate ×
    unit_value, so they cost nothing (one line when no product has a unit value, as without a
    ``products`` table)."""
    df = t.get("tariffs")
    if df is None or not len(df):
        return []
    value = (t["products"].set_index("product")["unit_value"].astype(float) if "products" in t
             else pd.Series(dtype=float))
    valued = value.index[value > 0]
    rate = df["rate"].to_numpy(dtype=float)
    if not len(valued):
        n = int((rate > 0).sum())
        return [f"(tariffs) | {count(n, 'tariff row')} cost nothing: no product has a unit_value (a duty "
                "is rate × unit_value); give unit_value in the products table"] if n else []
    product = df["product"].astype(str) if "product" in df.columns else pd.Series("all", index=df.index)
    unvalued = (~product.isin(("all", "")) & ~product.isin(valued)).to_numpy()  # hashed: 2M rows in 0.1 s
    product = product.to_numpy()
    warnings: list[str] = []
    each_row(warnings, "tariffs", np.flatnonzero(unvalued & (rate > 0)),
             lambda pos: (f"{where('tariffs', df, pos)} | rate {rate[pos]:g} costs nothing: product "
                          f"{quote(product[pos])} has no unit_value (a duty is rate × unit_value)"),
             "the product has no unit_value")
    every = np.flatnonzero(np.isin(product, ("all", "")) & (rate > 0))
    if len(every) and len(lacking := [str(p) for p in value.index if p not in set(valued)]):
        warnings.append(f"(tariffs) | {count(len(every), 'row')} for all products (rate > 0) cost nothing "
                        f"for product{'s' if len(lacking) > 1 else ''} "
                        f"{and_list([quote(p) for p in lacking])}: no unit_value (a duty is rate × "
                        "unit_value); give it in the products table")
    return warnings


def disruption_warnings(t: Frames) -> list[str]:
    """Scenario probabilities that add up to more than 1 (the model and the stress test treat the
    scenarios as excluding each other), and scenarios that fail the same elements (counted twice)."""
    df = t.get("disruptions")
    if df is None or len(df) == 0:
        return []
    out = []
    probability = df.groupby("scenario", sort=False)["probability"].first()
    if (total := float(probability.sum())) > 1 + 1e-9:
        out.append(f"(disruptions) | the scenarios' probabilities add up to {total:g}, over 1: a scenario is "
                   "weighed as if at most one happens at a time, which cannot be; check them")
    pairs = df.assign(pair=list(zip(df["kind"], df["element"], strict=True)))
    failed = pairs.groupby("scenario", sort=False)["pair"].agg(lambda g: tuple(sorted(g)))
    for elements, names in failed.groupby(failed, sort=False).groups.items():
        if len(names) > 1:
            lost = ", ".join(f"{kind} {element}" for kind, element in elements[:5])
            out.append(f"(disruptions) | scenarios {listing(names)} fail the same elements ({lost}"
                       f"{', …' if len(elements) > 5 else ''}): that failure is weighed "
                       f"{float(probability[list(names)].sum()):g}, their probabilities added")
    return out


#: what a status does in every period, for a cost on it that no plan pays
_FATE = {"open": "operates in every period", "closed": "never operates"}


def unpaid_cost_warnings(t: Frames) -> list[str]:
    """An ``opening_cost`` or ``closing_cost`` on a supplier or hub of status ``open`` (it operates
    in every period: it never starts or stops) or ``closed`` (it never operates): no plan pays it,
    most likely the status or the cost is on the wrong row (docs/formulation.md §9)."""
    warnings: list[str] = []
    for table, kind in (("suppliers", "supplier"), ("hubs", "hub")):
        if table in t:
            for col in ("opening_cost", "closing_cost"):
                _unpaid(warnings, table, kind, t[table], col)
    return warnings


def _unpaid(warnings: list[str], table: str, kind: str, df: pd.DataFrame, col: str) -> None:
    if col not in df.columns or "status" not in df.columns:
        return
    status = df["status"].to_numpy(dtype=str)
    cost = df[col].to_numpy(dtype=float)
    each_row(warnings, table, np.flatnonzero(np.isin(status, list(_FATE)) & (cost > 0)),
             lambda pos: (f"{where(table, df, pos)} | {col} {cost[pos]:g} is never paid: a {kind} of "
                          f"status {status[pos]} {_FATE[status[pos]]} (only existing and candidate ones "
                          "start and stop)"),
             f"{col} is set on an open or closed {kind}")


#: a positive demand up to this many units (100 times the solver's tolerance) is warned of
TINY_DEMAND = 1e-4
#: the units within which the solver meets a row (its feasibility tolerance, as the certificate's)
SOLVER_UNITS = 1e-6


def tiny_demand_warnings(t: Frames) -> list[str]:
    """A warning per demand row above 0 and at most :data:`TINY_DEMAND` units: the solver meets
    a row within :data:`SOLVER_UNITS`, so such a demand, or the share a policy asks of it, may
    read as met with up to 1% of it (all of it, at 1e-6 units) not shipped: the example at 1e-8
    times its quantities kept 15 local shares of 5% at 0%."""
    if "demand" not in t:
        return []
    df = t["demand"]
    demand = df["demand"].to_numpy(dtype=float)
    warnings: list[str] = []
    each_row(warnings, "demand", np.flatnonzero((demand > 0) & (demand <= TINY_DEMAND)),
             lambda pos: (f"{where('demand', df, pos)} | demand {demand[pos]:g} is within 100 times the "
                          f"solver's tolerance ({SOLVER_UNITS:g} units): a plan may leave "
                          f"{min(1.0, SOLVER_UNITS / demand[pos]):.0%} of it, or of the share a policy asks "
                          "of it, unshipped; give demand in a smaller unit (kg, not t) or leave the row out"),
             f"demand is above 0 and at most {TINY_DEMAND:g} units")
    return warnings


#: a quantity above this many units is warned of: the solver meets a row within SOLVER_UNITS,
#: 1e-16 of it and less, below its arithmetic's precision
HUGE_QUANTITY = 1e10


def huge_quantity_warnings(t: Frames) -> list[str]:
    """A warning per demand or finite capacity above :data:`HUGE_QUANTITY` units: HiGHS checks
    rows within :data:`SOLVER_UNITS` absolute, so at such sizes it may reject its own optimum
    (quantities × 1e9 of small networks, up to 4e11: plans 2.8-4.9% dearer than the scaled optimum,
    said optimal; one said infeasible)."""
    warnings: list[str] = []
    for table, col in (("demand", "demand"), ("supplier_products", "capacity"), ("hubs", "capacity")):
        if table not in t:
            continue
        df = t[table]
        v = df[col].to_numpy(dtype=float)
        each_row(warnings, table, np.flatnonzero(np.isfinite(v) & (v > HUGE_QUANTITY)),
                 lambda pos, df=df, v=v, table=table, col=col: (
                     f"{where(table, df, pos)} | {col} {v[pos]:.3g} is over {HUGE_QUANTITY:g} units: the "
                     f"solver meets each row within {SOLVER_UNITS:g} units, below the precision of its "
                     "arithmetic at this size, and a plan may be dearer than the optimum; give quantities in "
                     "a larger unit (thousands of pieces, kt)"),
                 f"{col} is over {HUGE_QUANTITY:g} units")
    return warnings


def template_warnings(t: Frames) -> list[str]:
    """The template's example demand (``resilient-sc init``: 4,000 widgets at M_Paris) left in
    beside a planner's own rows: a plan serves it, opening the template's supplier and hub (it
    read as data: a plan 70,200 dearer, said valid)."""
    demand, example = t.get("demand"), EXAMPLE_ROWS["demand"][0]
    if demand is None or len(demand) < 2:
        return []
    its = (demand["market"] == example["market"]) & (demand["product"] == example["product"])
    same = its & (demand["demand"] == example["demand"])
    if not same.any() or its.all():  # the template alone, its periods' rows maybe: nothing beside it
        return []
    others = [f"{table[:-1]} {row[ID_COLUMNS[table]]}" for table in ("suppliers", "hubs", "disruptions")
              for row in EXAMPLE_ROWS[table]
              if (df := t.get(table)) is not None and (df[ID_COLUMNS[table]] == row[ID_COLUMNS[table]]).any()]
    beside = f", as are its {and_list(others)}" if others else ""
    return [f"{where('demand', demand, int(np.flatnonzero(same.to_numpy())[0]))} | the template's example "
            f"row ({example['demand']:,} of product {example['product']} at {example['market']}) is here "
            f"beside {count(int((~its).sum()), 'other row')}{beside}: a plan serves that demand; delete the "
            "template's example rows unless they are yours"]
