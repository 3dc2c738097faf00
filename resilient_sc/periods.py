"""The periods of a roadmap and the network as it stands in each (docs/formulation.md §9).

A row of ``demand``, ``supplier_products`` or ``tariffs`` with a blank ``period`` holds in every
period; a row naming a period overrides, in that period, the blank row with the same other keys
(as a product-specific lane overrides the ``all`` lane).

>>> from resilient_sc import examples
>>> net = examples.tiny()
>>> period_ids(net), weights(net)
(('today',), (1.0,))
"""

from __future__ import annotations

import pandas as pd

from .data import Network
from .exceptions import ValidationError
from .period_rows import PERIOD_TABLES, effective_rows
from .policy import Policy
from .wording import brief, suggest

#: the id of the one period of a network without a ``periods`` table
TODAY = "today"


def has_periods(net: Network) -> bool:
    """True when ``net`` has a ``periods`` table (a roadmap)."""
    return len(net.periods) > 0


def period_ids(net: Network) -> tuple[str, ...]:
    """The periods in order; one period named ``today`` without a ``periods`` table."""
    return tuple(net.periods["period"]) if has_periods(net) else (TODAY,)


def weights(net: Network) -> tuple[float, ...]:
    """The weight of each period (multiplies each of its costs); 1 without a ``periods`` table."""
    return tuple(float(w) for w in net.periods["weight"]) if has_periods(net) else (1.0,)


def in_period(net: Network, period: str) -> Network:
    """``net`` as it stands in ``period``: the blank-period rows, each replaced by the row naming
    ``period`` with the same other keys, the ``period`` column blank, no ``periods`` table;
    zero-demand rows dropped. ``net`` is not modified. A period the data has not (2030 as a
    number, '2031', ' 2030') is a :class:`ValidationError`: it read as the blank-period rows,
    the first period's demand and tariffs under another period's name."""
    ids = period_ids(net)
    if not isinstance(period, str) or period not in ids:
        text = str(period).strip()
        hint = f" (did you mean {text!r}?)" if text in ids else suggest(text, ids)
        raise ValidationError([f"(period) | {brief(period)} is no period of the data{hint}; its periods are "
                               f"{', '.join(ids)}"])
    changes: dict[str, pd.DataFrame] = {}
    for name, key in PERIOD_TABLES.items():
        df = getattr(net, name)
        df = df.iloc[effective_rows(df, key, [period])[period]].assign(period="")
        if name == "demand":
            df = df.loc[df["demand"] > 0]
        changes[name] = df.reset_index(drop=True)
    return net._derived(periods=net.periods.iloc[:0], **changes)


def policy_in(policy: Policy, net: Network, period: str) -> Policy:
    """``policy`` as it holds in ``period`` of ``net`` (:meth:`Policy.in_period` with the
    network's periods, regions and products)."""
    return policy.in_period(period, period_ids(net), list(dict.fromkeys(net.countries["region"])),
                            list(net.products["product"]))
