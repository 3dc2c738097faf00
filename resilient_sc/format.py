"""How numbers read in the terminal, reports and docs: written once.

Money with thousands separators and cents, fractions as percentages with one decimal,
premiums already in % with two decimals, counts as whole numbers.

>>> money(1234.5), signed_money(-7.0), fraction(0.8074), pct_points(7.5), whole(13.0)
('1,234.50', '-7.00', '80.7%', '7.50%', '13')
>>> fraction(0.9996), fraction(0.9996, 0), fraction(0.0004), fraction(1 - 1e-12), fraction(float("nan"))
('99.9%', '99%', '<0.1%', '100.0%', 'n/a')
>>> percent(0.6), percent(0.999)
('60%', '99.9%')
>>> weight(1 / 1.05), weight(1.0)
('0.9524', '1')
>>> relative_gap(0.9476674), relative_gap(3.6e-4), relative_gap(0.0)
('94.7667%', '0.0360%', '0.0000%')
>>> signed_pct_points(-1e-9), signed_pct_points(2.449), signed_pct_points(-1.2)
('+0.00%', '+2.45%', '-1.20%')
>>> count(1, "failure"), count(3, "failure"), count(2, "origin country", "origin countries")
('1 failure', '3 failures', '2 origin countries')
>>> quantity(999999.6), quantity(2434570.0), quantity(79.92), quantity(0.004)
('999,999.6', '2,434,570', '79.92', '0.004')
>>> served_fraction(0.99989), served_fraction(0.8079), served_fraction(1 - 1e-9), served_fraction(0.0004)
('99.9%', '80.7%', '100.0%', '<0.1%')
>>> column_formatter("extra_cost")(float("nan")), column_formatter("premium_pct 2027")(-0.0)
('', '0.00%')
>>> column_label("premium_pct"), column_label("cost 2027"), column_label("n_hubs_started")
('premium (%)', 'cost 2027 (money)', 'hubs started')
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: the command line's parser imports this module
    import numpy as np

    from .policy import Policy

#: columns holding shares of a plan (fractions), by name
SHARE_COLUMNS = frozenset({"local_share", "allied_share", "top_country_share", "max_foreign_share"})
#: columns holding money, by name
MONEY_COLUMNS = frozenset({"cost", "network_cost", "extra_cost", "shortfall_cost", "impact", "premium",
                           "expected_shortfall_cost", "expected_extra_cost"})


def money(v: float) -> str:
    """Money in words: cents, or four significant digits below 1 (:func:`money_digits`: money in
    millions made a cost of 0.1191 read 0.12 beside 0.1211, and a breakdown line of 0.0004 0.00).

    >>> money(11914791.2), money(0.11914791), money(0.0), money(-1e-12)
    ('11,914,791.20', '0.1191', '0.00', '0.00')
    """
    text = f"{v:,.{money_digits(v)}f}"
    return "0.00" if float(text.replace(",", "")) == 0 else text  # never '-0.0000000000'


def money_label(v: float) -> str:
    """Money on a figure or a page: whole units from 1,000, else four significant digits (money
    in millions read '12' for 11.91 and 12.11 alike, and '0' for a cost of 0.179).

    >>> money_label(11914791.2), money_label(11.914791), money_label(0.179), money_label(160.0)
    ('11,914,791', '11.91', '0.179', '160')
    """
    if not math.isfinite(v) or v == 0 or abs(v) >= 1000:
        return f"{v:,.0f}"
    text = f"{v:,.{max(0, 3 - math.floor(math.log10(abs(v))))}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def status_and_gap(status: str, gap: Any) -> str:
    """``time_limit, gap 0.0022%`` (a plan kept at a limit), or the status alone when there is no
    finite gap (``not_solved``): how a premium's or frontier's row not proven optimal is named.

    >>> status_and_gap("time_limit", 2.2e-5), status_and_gap("not_solved", float("nan"))
    ('time_limit, gap 0.0022%', 'not_solved')
    """
    finite = isinstance(gap, Real) and not isinstance(gap, bool) and math.isfinite(gap)
    return f"{status}, gap {relative_gap(gap)}" if finite else str(status)


def money_digits(total: float) -> int:
    """The decimals of money beside a ``total``: cents, or four significant digits of a total
    below 1 (a network priced in thousands of euros per tonne of a rare material: 0.01 and
    0.00 for every line of its breakdown).

    >>> money_digits(11914791.2), money_digits(0.01222839305), money_digits(0.0)
    (2, 5, 2)
    """
    if not math.isfinite(total) or abs(total) >= 1 or total == 0:
        return 2
    return min(10, math.ceil(-math.log10(abs(total))) + 3)


def signed_money(v: float) -> str:
    return f"{v:+,.2f}"


def whole(v: Any) -> str:
    return f"{int(v)}"


def fraction(v: float, digits: int = 1) -> str:
    """A share as a percentage that never reads as all or nothing when it is not: 0.9996 is
    ``99.9%`` (not 100.0%) and 0.0004 is ``<0.1%`` (not 0.0%); ``n/a`` for NaN (no demand)."""
    if math.isnan(v):
        return "n/a"
    text, step = f"{v:.{digits}%}", 10.0 ** -(digits + 2)
    if v < 1 - 1e-9 and float(text[:-1]) >= 100:
        return f"{math.floor(v / step) * step:.{digits}%}"
    if v > 1e-9 and float(text[:-1]) == 0:
        return f"<{step:.{digits}%}"
    return text


def relative_gap(v: float) -> str:
    """A relative optimality gap, (cost − bound) / cost, as a percentage with four decimals:
    the same words in a summary, a warning and ``--json``; a gap of 1e-9 or more (above round-off)
    is never written 0.

    >>> relative_gap(0.0017), relative_gap(3.9e-7), relative_gap(0.0)
    ('0.1700%', '<0.0001%', '0.0000%')
    """
    text = f"{v:.4%}"
    return "<0.0001%" if v >= 1e-9 and float(text[:-1]) == 0 else text


#: the largest violation (scaled) of a row, bound or integrality a certified plan may have
#: (:mod:`resilient_sc.solvers.certify`)
CERTIFY_TOLERANCE = 1e-6
#: what an uncertified plan does, after 'it' or 'the solver's answer'
BREAKS_THE_MODEL = ("breaks a row, bound or integrality of the model by more than "
                    f"1e{round(math.log10(CERTIFY_TOLERANCE))} (scaled)")


def not_proven(result: Any) -> str:
    """``not proven optimal: time limit, gap 0.1700%`` for a plan or roadmap (its ``status`` and
    ``gap``) the solver stopped before proving, else empty: its cost is only an upper bound on
    the policy's optimum."""
    status = result.status.value
    if not getattr(getattr(result, "report", None), "certified", True):  # kept with allow_nonoptimal
        return f"not certified: the solver's answer {BREAKS_THE_MODEL}"
    return "" if status == "optimal" else (f"not proven optimal: {status.replace('_', ' ')}, gap "
                                           f"{relative_gap(result.gap)}")


def not_proven_optimal(what: str, result: Any) -> str:
    """``<what> is not proven optimal: …`` (:func:`not_proven`) for a warning; empty when it is proven."""
    return f"{what} is {not_proven(result)}" if not_proven(result) else ""


def weight(v: float) -> str:
    """A period's weight (its discount factor) with four decimals, as the workbook shows it:
    ``0.9524``, ``1``; a weight too small for them to two significant digits (1e-07 read ``0``,
    a period that costs nothing).

    >>> weight(1e-7), weight(0.0)
    ('1e-07', '0')
    """
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return f"{v:.2g}" if text in ("0", "-0") and v else text


def percent(x: float) -> str:
    """A share in words: whole percents when exact, else one decimal (``60%``, ``99.9%``)."""
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-6 else f"{x:.1%}"


def served_fraction(v: float) -> str:
    """A served fraction as a percentage rounded *down* to 0.1%, so it never shows more than is
    served (0.99989 reads 99.9%, not 100.0%); within 1e-7 (an LP's tolerance) of the next 0.1%
    it counts as that; a fraction above 0 that rounds down to 0.0% reads ``<0.1%``, never none."""
    shown = math.floor(v * 1000 + 1e-4) / 10
    return "<0.1%" if shown == 0 and v > 1e-9 else f"{shown:.1f}%"


def pct_points(v: float, digits: int = 2) -> str:
    """``v`` per cent with ``digits`` decimals, never ``-0.0%``: a premium of -1e-9 % is a tie
    within the solver's tolerance, not a saving."""
    text = f"{v:.{digits}f}%"
    return text[1:] if text.startswith("-") and float(text[:-1]) == 0 else text


def premium_cell(v: float) -> str:
    """A premium (%) in a table: :func:`pct_points`, and ``<0.01%`` (``-<0.01%``) for one that two
    decimals hide but that exceeds the solver's default gap, 1e-6 of the cost (a premium of 45.11
    on 12M read 0.00% beside it: audit).

    >>> premium_cell(2.634), premium_cell(0.00037), premium_cell(-0.00037), premium_cell(1e-7)
    ('2.63%', '<0.01%', '-<0.01%', '0.00%')
    """
    text = pct_points(v)
    if float(text[:-1]) == 0 and abs(v) > 1e-4:
        return f"{'-' if v < 0 else ''}<0.01%"
    return text


def count(n: int, noun: str, plural: str = "") -> str:
    """``1 failure``, ``3 failures``, ``2 origin countries`` (``plural`` where it is not noun + s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def quantity(v: float) -> str:
    """A number of units as written: thousands separators, at most two decimals, never
    scientific notation; three significant digits below 1 (so a shortfall never reads 0)."""
    if v != 0 and abs(v) < 1:
        return f"{v:.3g}"
    text = f"{v:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity_up(v: float) -> str:
    """``v`` rounded up to the digits :func:`quantity` shows (two decimals; three significant
    digits below 1): a cap set to the number read is never below ``v`` (a remedy's least; whole
    numbers advised 58 for a least of 57.5).

    >>> quantity_up(57.5), quantity_up(291.6001), quantity_up(933294), quantity_up(0.01234)
    ('57.5', '291.61', '933,294', '0.0124')
    """
    step = 0.01 if v >= 1 else 10.0 ** (math.floor(math.log10(v)) - 2) if v > 0 else 0.0
    if not math.isfinite(v) or step == 0:  # (0, below, or so small its step underflows)
        return quantity(v)
    return quantity(math.ceil(round(v / step, 9)) * step)


def quantities_apart(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` as :func:`quantity` writes them, with more decimals (up to 6) where it
    would write two different numbers alike: a cap of 49.999 against 50 never reads "50 … 50".

    >>> quantities_apart(49.999, 50.0), quantities_apart(10.0, 12.5)
    (('49.999', '50'), ('10', '12.5'))
    """
    for digits in range(2, 7):
        texts = tuple(f"{v:,.{digits}f}".rstrip("0").rstrip(".") for v in (a, b))
        if texts[0] != texts[1] or a == b:
            return (quantity(a), quantity(b)) if digits == 2 else texts
    return texts


def delivered_of(delivered: float, demand: float) -> str:
    """``delivered of demand`` in units, never rounded alike when something is short (59.6 of
    60.01, not 60 of 60).

    >>> delivered_of(59.6, 60.01), delivered_of(1_250.0, 1_250.0)
    ('59.6 of 60.01', '1,250 of 1,250')
    """
    return " of ".join(quantities_apart(delivered, demand))


def signed_pct_points(v: float, digits: int = 2) -> str:
    """``+2.45%``, ``-1.20%``, and ``+0.00%`` for a tie within the solver's tolerance (never
    ``-0.00%``); blank for NaN."""
    if math.isnan(v):
        return ""
    text = pct_points(v, digits)
    return text if text.startswith("-") else f"+{text}"


def cell_text(v: Any) -> str:
    """A cell's value as text, a date at midnight as its ISO date (a period of 2027 typed as a
    date: ``2027-01-01``, not ``2027-01-01 00:00:00``).

    >>> import datetime, pandas as pd
    >>> cell_text(pd.Timestamp("2027-01-01")), cell_text(datetime.datetime(2027, 1, 1, 6)), cell_text(7)
    ('2027-01-01', '2027-01-01 06:00:00', '7')
    """
    if type(v).__name__ == "datetime64":  # numpy's, read as a datetime (numpy is not loaded here)
        v = v.astype("datetime64[us]").item()
    if isinstance(v, datetime.datetime) and v.time() == datetime.time() and v.tzinfo is None:
        return v.date().isoformat()
    return str(v)


def as_given(v: float) -> str:
    """A number short (``:g``) unless that would read as another number: a value refused for
    being over 1 is never shown as 1.

    >>> as_given(0.5), as_given(1.0000001), as_given(1e16)
    ('0.5', '1.0000001', '1e+16')
    """
    short = f"{v:g}"
    return short if not math.isfinite(v) or float(short) == v else repr(float(v))


def value(v: Any) -> str:
    """A policy value as written, to 12 significant digits (``:g``'s six showed co2_cap 1234567.5
    as 1.23457e+06 and min_local_share 0.4999999 as 0.5; every digit showed np.linspace's
    0.09999999999999999): a whole number without its ``.0``.

    >>> value(0.5), value(1234567.5), value(1200000.0), value(0.4999999), value(0.1 * 3), value(1e-9)
    ('0.5', '1234567.5', '1200000', '0.4999999', '0.3', '1e-09')
    >>> value(1e15), value(["CN", "RU"])
    ('1000000000000000', 'CN, RU')
    """
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return f"{float(v):.12g}" if isinstance(v, float) else str(v)


def settings(given: Mapping[str, Any]) -> str:
    """A policy's settings (``Policy.to_dict()``) in words: ``min_local_share 0.5, survive
    country, single_sourcing``, a mapping as ``{Europe: 0.5}``; the base's none as such.

    >>> settings({"min_local_share": {"Europe": 0.5}, "survive": ["country"]}), settings({})
    ('min_local_share {Europe: 0.5}, survive country', 'no resilience policy (cost-optimal)')
    """
    if not given:
        return "no resilience policy (cost-optimal)"
    return ", ".join(k if v is True else f"{k} {setting(v)}" for k, v in given.items())  # a switch: its name


def setting(v: Any) -> str:
    """One policy value in words: :func:`value`, a mapping as ``{Europe: 0.5, chips: 0.4}``."""
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {value(x)}" for k, x in v.items()) + "}"
    return value(v)


def column_formatter(column: str) -> Callable[[Any], str]:
    """The formatter of a result column by its name; blank for a missing (NaN) number. A
    per-period column (``cost 2027``, ``premium_pct 2027``) is formatted by the part before
    the space."""
    column = column.split(" ", 1)[0]
    if column in MONEY_COLUMNS:
        fmt: Callable[[Any], str] = money
    elif column in ("premium_pct", "network_premium_pct"):
        fmt = premium_cell
    elif column == "gap":
        fmt = relative_gap
    elif "served" in column:
        fmt = served_fraction
    elif column in SHARE_COLUMNS:
        fmt = fraction
    elif column.startswith("n_"):
        fmt = whole
    else:  # text (a worst failure), a policy value ({Europe: 0.5}): blank, not 'nan', where none
        fmt = setting
    return lambda v: "" if isinstance(v, float) and math.isnan(v) else fmt(v)


#: a column's words where its name says less (the unit is added by :func:`column_label`)
_WORDS = {"premium_pct": "premium", "network_premium_pct": "network premium",
          "extra_cost": "change in flow cost", "value_served": "value served",
          "expected_value_served": "expected value served", "intact_served": "served, nothing failed"}


def column_label(column: str) -> str:
    """A result column's header for a planner: its words and its unit, ``worst_served`` →
    ``worst served (% of demand)``; a per-period column (``cost 2027``) keeps its period."""
    name, _, period = column.partition(" ")
    words = " ".join([_WORDS.get(name, name.removeprefix("n_")).replace("_", " "), period]).strip()
    if name in MONEY_COLUMNS:
        return f"{words} (money)"
    if "served" in name:
        return f"{words} (% of demand{' value' if 'value' in name else ''})"
    if name in SHARE_COLUMNS or name in ("premium_pct", "network_premium_pct"):
        return f"{words} (%)"
    if name == "gap":
        return "gap (% of cost)"
    return words


def frame_text(df: Any, columns: list[str]) -> str:
    """``df``'s ``columns`` (those it has) as a text table, each formatted by :func:`column_formatter`."""
    cols = [c for c in columns if c in df]
    return df[cols].to_string(index=False, formatters={c: column_formatter(c) for c in cols}, na_rep="")


# ---- numbers in output files ------------------------------------------------------------
OUTPUT_DIGITS = 12
"""Significant digits of a number in an output CSV: 890, not the solver's 889.9999999999949
(floating-point noise near 1e-15 relative); far finer than any solver tolerance (1e-7)."""


def output_float(v: float) -> float:
    """``v`` to :data:`OUTPUT_DIGITS` significant digits, no -0: as outputs store a number. A
    narrower float by its own shortest text (float32's 0.1 is 0.100000001490116 as a double).

    >>> import numpy as np
    >>> output_float(0.4999999999999999), output_float(-0.0), output_float(np.float32(0.1))
    (0.5, 0.0, 0.1)
    """
    if (dtype := getattr(v, "dtype", None)) is not None and dtype.kind == "f" and dtype.itemsize < 8:
        v = float(str(v))
    return float(f"{v:.{OUTPUT_DIGITS}g}") + 0.0


def output_number(v: float) -> str:
    """``v`` to :data:`OUTPUT_DIGITS` significant digits, never in scientific notation (a cost of
    1.2e12 in a currency of small units is written out), no -0.

    >>> output_number(889.9999999999949), output_number(1234567890123.45), output_number(-0.0)
    ('890', '1234567890120', '0')
    """
    import numpy as np

    return np.format_float_positional(output_float(v), trim="-")


def output_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`output_number` of each value (blank for NaN), the usual ones by ``%g`` at once.

    >>> import numpy as np
    >>> output_numbers(np.array([889.9999999999949, 1234567890123.45, -0.0, np.nan, 0.5])).tolist()
    ['890', '1234567890120', '0', None, '0.5']
    """
    import numpy as np

    out = np.array([f"{v:.{OUTPUT_DIGITS}g}" for v in values.tolist()], dtype=object)
    odd = np.flatnonzero(np.char.find(out.astype(str), "e") >= 0)  # scientific, or ±0 written '-0'
    for i in odd:
        out[i] = output_number(values[i])
    out[out == "-0"] = "0"
    out[np.isnan(values)] = None
    return out


def exact_numbers(values: np.ndarray) -> np.ndarray:
    """Text that reads back exactly: whole numbers without ``.0``, the rest by ``repr``.

    >>> import numpy as np
    >>> exact_numbers(np.array([4460.0, 0.1, np.nan, np.inf, -0.0, 1e20])).tolist()
    ['4460', '0.1', None, 'inf', '0', '1e+20']"""
    import numpy as np

    return np.array([None if np.isnan(v) else str(int(v)) if v.is_integer() and abs(v) < 1e15
                     else repr(v) for v in values.tolist()], dtype=object)


def summed_units(products: Sequence[str], unit: Callable[[str], str]) -> str:
    """The unit of one product (``pieces``); of several ``units of 'cells' and 'chips' together
    (each product's units summed)`` (``pieces of ...`` when they share that unit): a total over
    products is only ever given as such, as hub capacity counts units; ``unit``: a product's.

    >>> summed_units(["cells"], {"cells": "kWh"}.get), summed_units(["a", "b"], lambda p: "t")
    ('kWh', "t of 'a' and 'b' together (each product's units summed)")
    """
    if len(products) <= 1:
        return unit(products[0]) if products else "units"
    units = {unit(p) for p in products}
    named = and_first([repr(p) for p in products], 6)  # 150 SKUs named made a 2,000-character reason
    return f"{units.pop() if len(units) == 1 else 'units'} of {named} together (each product's units summed)"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st']
    """
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# ---- lists in words ----------------------------------------------------------------------------
def and_list(items: list[str], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def and_first(items: list[str], most: int, word: str = "and") -> str:
    """:func:`and_list` of the first ``most`` items and how many more.

    >>> and_first(["'a'", "'b'", "'c'"], 2)
    "'a', 'b' and 1 more"
    """
    return and_list(items[:most] + ([f"{len(items) - most} more"] if len(items) > most else []), word)


def field_text(policy: Policy, field: str) -> str:
    """A policy field with its value, as the planner wrote it."""
    if field == "hub_count":
        return " and ".join(f"{k} {getattr(policy, k)}" for k in ("min_hubs", "max_hubs")
                            if getattr(policy, k) is not None)
    if field == "survive":
        text = f"survive {'/'.join(policy.survive)}"
        return text + (f" (service_level {setting(policy.service_level)})"
                       if policy.service_level is not None else "")
    if field == "single_sourcing":
        return "single_sourcing"
    return f"{field} {setting(getattr(policy, field))}"


def file_size(n: int) -> str:
    """``n`` bytes as a planner reads them.

    >>> file_size(12_345), file_size(13_000_000)
    ('12 KB', '12.4 MB')
    """
    return f"{n / 2**10:.0f} KB" if n < 2**20 else f"{n / 2**20:.1f} MB"
