"""The weight of each failure of a stress test in its expectations, and in words what the
expectations are conditional on: the disruption scenarios' probabilities, probabilities given by
failure or element name, or each failure equally likely."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import ValidationError
from ..format import fraction
from ..solvers.base import is_number
from ..wording import suggest


def _in_all(total: float) -> str:
    """The scenarios' total probability: three significant digits (0.033% read '0.0%'), never 100%
    or 0% when it is not (0.9996 read '100%': review).

    >>> _in_all(0.00033), _in_all(0.14), _in_all(0.9996), _in_all(1.0)
    ('0.033%', '14%', '99.96%', '100%')
    """
    text = f"{100 * total:.3g}%"
    return fraction(total, 2) if 0 < total < 1 and text in ("100%", "0%") else text


def _one_of(n: int, what: str) -> str:
    """``'one of the 3 failures happening'``; ``'the one failure happening'`` (not 'one of the 1')."""
    return f"the one {what} happening" if n == 1 else f"one of the {n} {what}s happening"


def failure_weights(table: pd.DataFrame,
                   probabilities: Mapping[str, float] | None) -> tuple[np.ndarray, str]:
    """Each failure row's weight in the expectations (not normalised) and, in words, what they are
    conditional on."""
    given = table["probability"].to_numpy(float)
    n = table["failure"].nunique()
    if probabilities is None:
        single = np.isnan(given)
        scen = table.loc[~single].drop_duplicates("failure")
        if scen["probability"].sum() > 0:  # the disruptions table's probabilities make the expectation
            return np.where(single, 0.0, given), (
                f"{_one_of(len(scen), 'disruption scenario')}, weighted by their "
                f"probabilities ({_in_all(scen['probability'].sum())} in all, normalised to 100%)")
        alike = ", each equally likely" * (n > 1)
        said = (f"{_one_of(n, 'single failure')}{alike}" if single.all() else
                f"{_one_of(n, 'failure')}{alike} (the disruption scenarios' "
                "probabilities are all 0)")
        return np.full(len(given), 1.0 / max(n, 1)), said
    mapped = probability_weights(table, probabilities)
    named = table.loc[mapped.notna().to_numpy(), "failure"].nunique()
    return mapped.fillna(0.0).to_numpy(float), (
        f"one failure happening, weighted by the probabilities given for {named} of the {n} failures "
        "(normalised to 100%)")


def probability_weights(table: pd.DataFrame, probabilities: Mapping[str, float]) -> pd.Series:
    """Each failure row's probability from ``probabilities`` (NaN where unnamed): by its failure
    name, or by its element's name for a single failure (one without a probability of its own) --
    never for a scenario the element is part of."""
    single = table["probability"].isna().to_numpy()
    return table["failure"].map(probabilities).fillna(table["element"].map(probabilities).where(single))


def check_probabilities(table: pd.DataFrame, probabilities: Any, network: Network) -> None:
    """Probabilities are a mapping of failures (``country:CN``) or elements (``CN``) of the network
    to numbers ≥ 0, some of the failures replayed above 0: a misspelt name is an error, not a 0."""
    if not isinstance(probabilities, Mapping):
        raise ValidationError([f"(probabilities) | expected a mapping of failure (country:CN) or element "
                               f"(CN) to probability, not {type(probabilities).__name__}"])
    ids = {"country": network.countries["country"], "hub": network.hubs["hub"],
           "supplier": network.suppliers["supplier"]}
    known = {*table["failure"].astype(str), *(f"{k}:{i}" for k, col in ids.items() for i in col),
             *(str(i) for col in ids.values() for i in col)}
    problems = [f"(probabilities) | {key!r} names no country, hub, supplier or failure of the network"
                f"{suggest(str(key), sorted(known))}" for key in probabilities if key not in known]
    for key, p in probabilities.items():
        if not is_number(p) or not 0 <= float(p) < np.inf:
            problems.append(f"(probabilities) | {key!r}: {p!r}, must be a number >= 0")
    if not problems and not probability_weights(table, probabilities).fillna(0.0).astype(float).sum() > 0:
        replayed = set(table["failure"].astype(str).str.partition(":")[0])
        why = []  # each failure named: its kind not replayed, or its element not in the design (audits)
        for key in [str(k) for k, p in probabilities.items() if float(p) > 0][:5]:
            kind = key.partition(":")[0] if ":" in key else next(k for k, col in ids.items()
                                                                 if key in set(col.astype(str)))
            add = "replay the scenarios" if kind == "scenario" else f"add {kind} to the failures"
            why.append(f"{key}: {kind} failures are not replayed ({add})" if kind not in replayed else
                       f"{key}: not in the design (its suppliers and hubs, the countries that hold them)")
        problems.append("(probabilities) | no failure replayed on the design has a probability above 0"
                        + (f"; {'; '.join(why)}" if why else ""))
    if problems:
        raise ValidationError(problems)
