"""Explanations of infeasible plans in a planner's terms (filled in by the policy checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import highspy

    from .model.build import NetworkModel


def explain_infeasibility(model: NetworkModel, h: highspy.Highs) -> list[str]:
    """Reasons why ``model`` has no feasible plan."""
    return ["the data and policy admit no plan (HiGHS reports infeasibility)"]
