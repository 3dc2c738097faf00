"""Disruption-aware design (docs/formulation.md §5b) and its value of the stochastic solution."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..data import Network
from ..exceptions import ValidationError
from ..model.build import given_policy
from ..optimize import model_for, solve, solve_model
from ..policy import Policy
from ..results import Plan
from ..solvers.base import SolveOptions, given_options


@dataclass(frozen=True, eq=False)
class DisruptionDesign:
    """The disruption-aware plan, the cost-optimal one (``base_plan``: the same policy with
    ``disruption_weight`` 0) and that design replayed on the scenarios (``replayed``: its design
    fixed, its flows and scenario recourse re-optimised), in money.

    ``cost`` and ``base_cost`` are the model's objective (docs/formulation.md §5b) for each
    design: its cost with nothing failed plus w · Σ_f p_f · (scenario f's whole re-routed flow
    cost + π · its shortfall). That counts each scenario's ordinary deliveries again, so it is
    not the expected cost of a year in which a scenario may happen. ``vss`` = base_cost − cost
    (≥ 0): the value of the stochastic solution at the model's objective."""

    plan: Plan
    base_plan: Plan
    replayed: Plan

    @property
    def cost(self) -> float:
        """The disruption-aware design's objective (money; §5b, scenario terms included)."""
        return self.plan.objective

    @property
    def base_cost(self) -> float:
        """The cost-optimal design's objective replayed on the scenarios (money)."""
        return self.replayed.objective

    @property
    def vss(self) -> float:
        """The value of the stochastic solution, ``base_cost`` − ``cost`` (money, ≥ 0): against the
        cost-optimal design HiGHS returns, one of several where they tie."""
        return self.base_cost - self.cost

    def to_dict(self) -> dict[str, Any]:
        """The three costs and both designs' suppliers and hubs, for JSON."""
        return {"cost": self.cost, "base_cost": self.base_cost, "vss": self.vss,
                "suppliers": self.plan.supplier_ids, "hubs": self.plan.hub_ids,
                "base_suppliers": self.base_plan.supplier_ids, "base_hubs": self.base_plan.hub_ids}


def disruption_design(network: Network, policy: Policy,
                      options: SolveOptions | None = None) -> DisruptionDesign:
    """Solve the two-stage design over the network's ``disruptions`` scenarios and compare it
    with the cost-optimal design (same policy without the scenarios) evaluated on them.

    ``policy`` must set ``shortfall_penalty``; ``disruption_weight`` scales the scenarios.
    """
    policy = given_policy(network, policy)
    if network.disruptions.empty:
        raise ValidationError(["(disruptions) | the network has no disruptions table: disruption-aware "
                               "design weighs the scenarios it lists"])
    if policy.shortfall_penalty is None:
        raise ValidationError(["(policy) | disruption-aware design needs shortfall_penalty (money per unit "
                               "short in a scenario)"])
    options = given_options(options)
    plan = solve(network, policy, options)
    base_plan = solve(network, policy.replace(disruption_weight=0.0), options)
    # the cost-optimal design replayed on the scenarios: the same model with its design fixed (the
    # plan's own, not built again)
    model = plan.model if plan.model is not None else model_for(network, policy, options)
    s = model.sets
    design = {"supplier_contracted": np.isin(s.suppliers_table["supplier"], base_plan.supplier_ids),
              "hub_opened": np.isin(s.hubs_table["hub"], base_plan.hub_ids)}
    evaluated = solve_model(replace(model, lm=model.lm.fixed(design)), options)
    return DisruptionDesign(plan, base_plan, evaluated)
