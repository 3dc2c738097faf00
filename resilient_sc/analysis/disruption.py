"""Disruption-aware design (docs/formulation.md §5b) and its value of the stochastic solution."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..data import Network
from ..exceptions import ResilientSCError
from ..model.build import given_policy
from ..optimize import model_for, solve, solve_model
from ..policy import Policy
from ..results import Plan
from ..solvers.base import SolveOptions, given_options


@dataclass(frozen=True, eq=False)
class DisruptionDesign:
    """The disruption-aware plan, the cost-optimal plan, and the expected total cost of each
    design over the scenarios (money). ``vss`` = expected cost of the cost-optimal design
    minus that of the disruption-aware design (≥ 0)."""

    plan: Plan
    base_plan: Plan
    expected_cost: float
    base_expected_cost: float

    @property
    def vss(self) -> float:
        return self.base_expected_cost - self.expected_cost

    def to_dict(self) -> dict[str, object]:
        return {"expected_cost": self.expected_cost, "base_expected_cost": self.base_expected_cost,
                "vss": self.vss, "suppliers": self.plan.supplier_ids, "hubs": self.plan.hub_ids,
                "base_suppliers": self.base_plan.supplier_ids, "base_hubs": self.base_plan.hub_ids}


def disruption_design(network: Network, policy: Policy,
                      options: SolveOptions | None = None) -> DisruptionDesign:
    """Solve the two-stage design over the network's ``disruptions`` scenarios and compare it
    with the cost-optimal design (same policy without the scenarios) evaluated on them.

    ``policy`` must set ``shortfall_penalty``; ``disruption_weight`` scales the scenarios.
    """
    policy = given_policy(network, policy)
    if network.disruptions.empty:
        raise ResilientSCError("the network has no disruptions table")
    if policy.shortfall_penalty is None:
        raise ResilientSCError("disruption-aware design needs policy.shortfall_penalty "
                               "(money per unit short in a scenario)")
    options = given_options(options)
    plan = solve(network, policy, options)
    base_plan = solve(network, policy.replace(disruption_weight=0.0), options)
    # the cost-optimal design replayed on the scenarios: the same model with its design fixed
    model = model_for(network, policy, options)
    s = model.sets
    design = {"supplier_contracted": np.isin(s.suppliers_table["supplier"], base_plan.supplier_ids),
              "hub_opened": np.isin(s.hubs_table["hub"], base_plan.hub_ids)}
    evaluated = solve_model(replace(model, lm=model.lm.fixed(design)), options)
    return DisruptionDesign(plan, base_plan, plan.objective, evaluated.objective)
