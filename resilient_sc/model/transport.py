"""The most a set of supplier -> market pairs can deliver: a transportation LP, the hubs left
out, so an upper bound on what any plan delivers (the precheck's country totals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog


def most_delivered(rows: pd.DataFrame, capped: bool) -> float:
    """The most that the suppliers of ``rows`` (the supplier -> market pairs that reach a
    country's markets of one product: supplier, country, capacity, market, demand, kappa,
    country_m) deliver to those markets: each supplier within its capacity, each market at most
    its demand and, when ``capped``, each foreign country at most κ·demand of each market. A
    transportation LP without the hubs, so an upper bound on what any plan delivers."""
    if rows.empty:
        return 0.0
    supplier, market = pd.factorize(rows["supplier"])[0], pd.factorize(rows["market"])[0]
    parts = [(supplier, rows.groupby(supplier)["capacity"].first()),  # (row of each pair, row limits)
             (market, rows.groupby(market)["demand"].first())]
    if capped:  # a row per (foreign country, market)
        pair = pd.factorize(rows["country"].astype(str) + "\x00" + rows["market"].astype(str))[0]
        foreign = (rows["country"] != rows["country_m"]).to_numpy()
        parts.append((np.where(foreign, pair, -1), (rows["kappa"] * rows["demand"]).groupby(pair).first()))
    starts = np.cumsum([0] + [len(limit) for _, limit in parts])
    row = np.concatenate([np.where(r >= 0, r + s0, -1) for (r, _), s0 in zip(parts, starts, strict=False)])
    col = np.tile(np.arange(len(rows)), len(parts))
    a = sp.csr_matrix((np.ones(int((row >= 0).sum())), (row[row >= 0], col[row >= 0])),
                      shape=(int(starts[-1]), len(rows)))
    limits = np.concatenate([limit.to_numpy(float) for _, limit in parts])
    result = linprog(-np.ones(len(rows)), A_ub=a, b_ub=limits, bounds=(0, None), method="highs")
    return float(-result.fun) if result.status == 0 else 0.0
