"""Analyses of resilience: stress tests, premium tables, frontiers, disruption-aware design."""

from .disruption import DisruptionDesign, disruption_design
from .frontier import frontier
from .premium import PolicyOutcome, premium, premium_outcomes, premium_table
from .stress import StressResult, stress_test

__all__ = ["DisruptionDesign", "PolicyOutcome", "StressResult", "disruption_design", "frontier",
           "premium", "premium_outcomes", "premium_table", "stress_test"]
