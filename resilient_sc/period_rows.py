"""The periods of a roadmap's data: which rows of a table hold in each period
(:func:`effective_rows`), and the checks of the ``periods`` table and of the periods other
tables name (:func:`check_periods`, :func:`unlisted_demand_periods`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .format import count
from .wording import each_row, period_hint, quote, unknown_references, where

Frames = Mapping[str, pd.DataFrame]

#: the tables with a ``period`` column, and the columns a period row overrides a blank row on
PERIOD_TABLES = {"supplier_products": ("supplier", "product"), "demand": ("market", "product"),
                 "tariffs": ("origin_country", "destination_country", "product")}


def listed_periods(t: Frames) -> list[str]:
    """The period ids of the ``periods`` table, in order; ``[]`` when it is absent or has no
    rows (one period: the network as it is)."""
    periods = t.get("periods")
    return [] if periods is None else [str(p) for p in periods["period"]]


def effective_rows(df: pd.DataFrame, keys: Iterable[str], periods: Iterable[str]) -> dict[str, np.ndarray]:
    """The positions of the rows of ``df`` in force in each period: its rows with a blank
    ``period``, except those that a row naming the period overrides (same ``keys``), and the
    rows naming it. Linear in the rows for each period.

    >>> df = pd.DataFrame({"market": ["M", "M", "N"], "product": ["p", "p", "p"],
    ...                    "period": ["", "2027", ""]})
    >>> {t: pos.tolist() for t, pos in effective_rows(df, ("market", "product"), ["2026", "2027"]).items()}
    {'2026': [0, 2], '2027': [1, 2]}
    """
    period = df["period"].to_numpy(dtype=object)
    blank = period == ""
    keys = list(keys)
    codes = (df.groupby(keys, sort=False).ngroup().to_numpy() if len(df) and keys
             else np.zeros(len(df), dtype=np.int64))
    out: dict[str, np.ndarray] = {}
    for t in periods:
        mine = period == t
        out[t] = np.flatnonzero((blank & ~np.isin(codes, codes[mine])) | mine)
    return out


def named_periods(periods: list[str], most: int = 5) -> str:
    """``period '2027'`` or ``periods '2026', '2027'`` (the first ``most``, then a count)."""
    shown = ", ".join(quote(p) for p in periods[:most])
    more = f", … ({len(periods):,} in all)" if len(periods) > most else ""
    return f"period{'s' * (len(periods) > 1)} {shown}{more}"


#: the key columns of a roadmap's timeline, beside which its periods are columns: no period's id
TIMELINE_KEYS = ("kind", "id", "country")
#: how a totals row under a table with more keys than its first is named (the rest blank): 'Total',
#: 'Grand total:', 'Sum', 'Sum of ...' (English words only: a market 'Somme' is a French département)
TOTALS = re.compile(r"\s*(((grand|sub-?)\s*)?totals?|sum)(\s+of\b.*|\s*:)?\s*$", re.IGNORECASE)
#: ... and a period's id, which no place name is: a total word in a few languages, or a sum sign,
#: then anything, or a last word 'total' ('Total:', 'Total 2026-2030', 'Summe', '∑', '2031 total'
#: had each been planned as one more period, weighted as the sum of the others: spreadsheets audit)
PERIOD_TOTALS = re.compile(r"\s*((((grand|sub-?)\s*)?totals?|sum|summe|gesamt|somme|totale|totaal|totalt"
                           r"|suma)(\b|\s|:|$)|[Σ∑])|.*\btotals?\s*:?\s*$", re.IGNORECASE)


def check_periods(t: Frames) -> tuple[list[str], list[str]]:
    """A ``period`` that is not in ``periods`` (or with no periods table) and a period named as a
    column of the timeline (:data:`TIMELINE_KEYS`) or as a total (:data:`PERIOD_TOTALS`) are errors; a
    period of weight 0 and a ``lead_time`` that is ignored (not a candidate) or that no period
    reaches are warnings."""
    problems: list[str] = []
    warnings: list[str] = []
    ids = listed_periods(t)
    if ids:
        periods = t["periods"]
        named = [i for i, p in enumerate(ids) if p in TIMELINE_KEYS or PERIOD_TOTALS.match(p)]
        each_row(problems, "periods", named,
                 lambda pos: f"{where('periods', periods, pos)} | period {quote(ids[pos])} " + (
                     f"is the name of a column of the roadmap's timeline ({', '.join(TIMELINE_KEYS)}); "
                     "name it otherwise" if ids[pos] in TIMELINE_KEYS else "reads as a totals row, not a "
                     "period: every row is a period planned (the demand rows of no period in it too); "
                     "delete it"),
                 "period is named as a column of the timeline or as a total")
        each_row(warnings, "periods", np.flatnonzero(periods["weight"].to_numpy(dtype=float) == 0),
                 lambda pos: f"{where('periods', periods, pos)} | weight 0: the period's costs count for "
                             "nothing, its opening and closing costs too, so the path may start and stop "
                             "suppliers and hubs there for free (moving the transitions around it) and its "
                             "own design is arbitrary; give it a small weight > 0",
                 "weight is 0")
        years = pd.to_numeric(pd.Series(ids), errors="coerce")
        if years.notna().all() and (years.diff().dropna() <= 0).any():  # 2028, 2026, 2027
            at = int(np.flatnonzero(years.diff().to_numpy() <= 0)[0])
            warnings.append(f"{where('periods', periods, at)} | period {quote(ids[at])} comes after "
                            f"{quote(ids[at - 1])}: periods follow the table's row order (lead times, "
                            "opening and closing count along it); sort the rows by time if that is "
                            "not the order meant")
        elif years.notna().all() and (years.diff().dropna() > 1).any() and any(  # 2026, 2028, 2030
                ((t[n]["lead_time"].to_numpy(dtype=float) > 0) & (t[n]["status"] == "candidate")).any()
                for n in ("suppliers", "hubs")):
            at = int(np.flatnonzero(years.diff().to_numpy() > 1)[0])
            warnings.append(f"{where('periods', periods, at)} | period {quote(ids[at])} follows "
                            f"{quote(ids[at - 1])}: a lead_time counts periods, not years (lead_time 2 "
                            "is two periods: here more than two years), and each period's costs are "
                            "one period's (its weight can count the years it stands for)")
    for name in PERIOD_TABLES:
        if name not in t:
            continue
        df = t[name]
        df = df.loc[df["period"] != ""]
        if ids:
            unknown_references(problems, name, df, "period", set(ids), "periods",
                               lambda v: period_hint(v, ids), True)
            continue
        none = "there is no periods table" if "periods" not in t else "the periods table has no rows"
        each_row(problems, name, range(len(df)),
                 lambda pos, name=name, df=df, none=none: f"{where(name, df, pos)} | period "
                 f"{quote(df['period'].iloc[pos])} is named but {none}; list the periods in a periods "
                 "table, or leave period blank (the row holds in every period)",
                 f"a period is named but {none}")
    n = max(len(ids), 1)
    for name, kind in (("suppliers", "supplier"), ("hubs", "hub")):
        df = t[name]
        lead = df["lead_time"].to_numpy(dtype=float)
        status = df["status"].to_numpy(dtype=object)
        candidate = status == "candidate"
        each_row(warnings, name, np.flatnonzero((lead > 0) & ~candidate),
                 lambda pos, name=name, df=df, lead=lead, status=status:
                 f"{where(name, df, pos)} | lead_time {lead[pos]:g} is ignored: only a candidate "
                 f"waits for its lead time (status is {quote(status[pos])})",
                 "lead_time is set on an element that is not a candidate")
        reach = (f"there {'is' if len(ids) == 1 else 'are'} {count(len(ids), 'period')} "
                 f"({'position 0' if len(ids) == 1 else f'positions 0 to {len(ids) - 1}'})" if ids
                 else "without a periods table there is one period (position 0)")
        each_row(warnings, name, np.flatnonzero((lead >= n) & candidate),
                 lambda pos, name=name, df=df, lead=lead, kind=kind, reach=reach:
                 f"{where(name, df, pos)} | lead_time {lead[pos]:g} is past the last period: "
                 f"{reach}, so the {kind} can never operate",
                 "lead_time is past the last period")
    return problems, warnings


def unlisted_demand_periods(t: Frames) -> list[str]:
    """A warning naming the periods in which no row of ``demand`` holds, not even a 0 (which says
    none on purpose): a period left out of demand.csv is planned empty, its network stopped and
    started again. Run on the rows as given, before the zero-demand rows are dropped."""
    ids = listed_periods(t)
    if not ids or "demand" not in t:
        return []
    in_force = effective_rows(t["demand"], PERIOD_TABLES["demand"], ids)
    empty = [p for p in ids if not len(in_force[p])]
    if not empty:
        return []
    return [f"(demand) | no row of demand holds in {named_periods(empty)}: the plan serves nothing there, so "
            "the roadmap may stop suppliers and hubs and start them again; add the rows (a row with period "
            "blank holds in every period; demand 0 says none on purpose)"]
