"""Analyses of resilience: stress tests, premium tables, frontiers, disruption-aware design, and
roadmaps (premiums of policy paths, end-year frontier, stress per period, the myopic path)."""

from .disruption import DisruptionDesign, disruption_design
from .frontier import frontier
from .premium import PolicyOutcome, premium, premium_outcomes, premium_table
from .roadmap import (
    PathOutcome,
    end_year_frontier,
    myopic_path,
    planning_value,
    roadmap_outcomes,
    roadmap_premium,
    roadmap_premium_table,
    roadmap_stress,
    roadmap_stress_table,
)
from .stress import StressResult, stress_test

__all__ = ["DisruptionDesign", "PathOutcome", "PolicyOutcome", "StressResult", "disruption_design",
           "end_year_frontier", "frontier", "myopic_path", "planning_value", "premium",
           "premium_outcomes", "premium_table", "roadmap_outcomes", "roadmap_premium",
           "roadmap_premium_table", "roadmap_stress", "roadmap_stress_table", "stress_test"]
