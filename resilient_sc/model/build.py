"""The build sequence: a flat table of contents of the constraint families."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..data import Network
from ..policy import Policy
from . import base, emissions, origin, redundancy, sourcing
from .context import Context
from .linear import LinearModel, VarBlock
from .precheck import precheck
from .sets import Sets, build_sets

Family = Callable[[Context], None]

#: every family in build order; each returns early when the policy does not ask for it
FAMILIES: tuple[Family, ...] = (
    base.add_variables,
    base.add_demand,
    base.add_origin_balance,
    base.add_supplier_capacity,
    base.add_hub_capacity,
    base.add_hub_links,
    base.add_costs,
    emissions.add_co2,
    sourcing.add_min_suppliers,
    sourcing.add_max_supplier_share,
    sourcing.add_max_country_share,
    origin.add_min_local_share,
    origin.add_min_allied_share,
    origin.add_max_region_share,
    sourcing.add_single_sourcing,
    sourcing.add_hub_count,
    redundancy.add_survive,
    redundancy.add_disruptions,
)


@dataclass(eq=False)
class NetworkModel:
    """A built, inspectable model of one network under one policy: data, it does not solve
    itself.

    ``lm`` holds the variable and constraint blocks; add your own blocks to it before
    solving it with :func:`resilient_sc.optimize.solve_model` to extend the formulation.
    """

    network: Network
    policy: Policy
    sets: Sets
    lm: LinearModel
    build_time: float

    @property
    def variables(self) -> dict[str, VarBlock]:
        return self.lm.variables

    def __repr__(self) -> str:
        return (f"NetworkModel({self.lm.n_cols} columns, {self.lm.n_rows} rows, "
                f"families: {', '.join(self.lm.constraints)})")


def build_model(network: Network, policy: Policy | None = None,
                strong_links: bool = True) -> NetworkModel:
    """Build the MILP of ``network`` under ``policy`` (docs/formulation.md §2–5) without solving it."""

    policy = policy or Policy()
    start = time.perf_counter()
    policy.check_network(network)
    sets = build_sets(network, policy)
    precheck(sets, policy)
    ctx = Context(LinearModel(), sets, policy, strong_links=strong_links)
    for family in FAMILIES:
        family(ctx)
    return NetworkModel(network, policy, sets, ctx.lm, time.perf_counter() - start)
