"""Emissions family: CO2 price and cap (docs/formulation.md §5, docs/conventions.md §8.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, local
from .sets import emission_factors


def add_co2(ctx: Context) -> None:
    """``co2`` cost = co2_price · CO2 and ``co2_cap[]``: CO2 ≤ co2_cap, where
    CO2 = Σ (co2[s,p] + co2[s→h]) x[s,h,p] + Σ co2[h→m] y[h,m,p,c]; hubs emit nothing.
    """
    ex, ey = emission_factors(ctx.sets)
    v, policy = ctx.v, ctx.policy
    if policy.co2_price:
        ctx.lm.add_cost("co2", v["x"], policy.co2_price * ex)
        ctx.lm.add_cost("co2", v["y"], policy.co2_price * ey)
    if policy.co2_cap is not None:
        zeros = np.zeros(len(ex), np.int64)
        ctx.lm.add_constraints("co2_cap", pd.DataFrame(index=range(1)), [
            (zeros, v["x"], local(len(ex)), ex),
            (np.zeros(len(ey), np.int64), v["y"], local(len(ey)), ey),
        ], upper=float(policy.co2_cap))
