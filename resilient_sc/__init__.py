"""resilient_sc: resilient supply chain network design on HiGHS.

>>> from resilient_sc import examples, solve, Policy
>>> base = solve(examples.tiny())
>>> round(base.objective, 2), base.supplier_ids
(1260.0, ['S_CN'])
"""

from . import examples
from .analysis import disruption_design, frontier, premium, stress_test
from .data import Network, read_network
from .exceptions import (
    DataWarning,
    InfeasiblePolicyError,
    NotOptimalError,
    ResilientSCError,
    ValidationError,
)
from .model import NetworkModel, build_model
from .optimize import solve, solve_model
from .policy import Policy
from .results import Plan
from .roadmap import Roadmap, solve_roadmap
from .solvers.base import SolveOptions, SolveReport, Status

__all__ = [
    "DataWarning",
    "InfeasiblePolicyError",
    "Network",
    "NetworkModel",
    "NotOptimalError",
    "Plan",
    "Policy",
    "ResilientSCError",
    "Roadmap",
    "SolveOptions",
    "SolveReport",
    "Status",
    "ValidationError",
    "build_model",
    "disruption_design",
    "examples",
    "frontier",
    "premium",
    "read_network",
    "solve",
    "solve_model",
    "solve_roadmap",
    "stress_test",
]
__version__ = "0.1.0"
