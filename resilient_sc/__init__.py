"""resilient_sc: resilient supply chain network design on HiGHS.

>>> from resilient_sc import examples, solve, Policy
>>> base = solve(examples.tiny())
>>> round(base.objective, 2), base.supplier_ids
(1260.0, ['S_CN'])
"""

from . import examples
from .data import Network, read_network
from .exceptions import (
    DataWarning,
    InfeasiblePolicyError,
    NotOptimalError,
    ResilientSCError,
    ValidationError,
)
from .model import NetworkModel, build_model
from .policy import Policy
from .results import Plan
from .solve import SolveOptions, Status, solve

__all__ = [
    "DataWarning",
    "InfeasiblePolicyError",
    "Network",
    "NetworkModel",
    "NotOptimalError",
    "Plan",
    "Policy",
    "ResilientSCError",
    "SolveOptions",
    "Status",
    "ValidationError",
    "build_model",
    "examples",
    "read_network",
    "solve",
]
__version__ = "0.1.0"
