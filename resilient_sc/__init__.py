"""resilient_sc: resilient supply chain network design on HiGHS.

>>> from resilient_sc import examples, solve, Policy
>>> base = solve(examples.tiny())
>>> round(base.objective, 2), base.supplier_ids
(1260.0, ['S_CN'])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported when first used (:func:`__getattr__`)
    from . import examples
    from .analysis.disruption import disruption_design  # the defining modules: the package's names
    from .analysis.frontier import frontier  # frontier and premium are also its submodules
    from .analysis.premium import premium
    from .analysis.stress import stress_test
    from .data import Network, read_network
    from .exceptions import (
        DataWarning,
        InfeasiblePolicyError,
        NotOptimalError,
        ResilientSCError,
        RunWarning,
        ValidationError,
    )
    from .model import NetworkModel, build_model
    from .optimize import solve, solve_model
    from .policy import Policy
    from .results import Plan
    from .roadmap import Roadmap, solve_roadmap
    from .solvers.base import SolveOptions, SolveReport, Status

#: where each public name lives: imported on first use, so that ``import resilient_sc`` (and
#: the console command's start, :mod:`resilient_sc.console`) does not wait 1-2 s for numpy,
#: pandas, scipy and HiGHS until they are needed
_HOMES = {"examples": "", "disruption_design": ".analysis", "frontier": ".analysis", "premium": ".analysis",
          "stress_test": ".analysis", "Network": ".data", "read_network": ".data",
          **dict.fromkeys(("DataWarning", "InfeasiblePolicyError", "NotOptimalError", "ResilientSCError",
                           "RunWarning", "ValidationError"), ".exceptions"),
          "NetworkModel": ".model", "build_model": ".model", "solve": ".optimize", "solve_model": ".optimize",
          "Policy": ".policy", "Plan": ".results", "Roadmap": ".roadmap", "solve_roadmap": ".roadmap",
          "SolveOptions": ".solvers.base", "SolveReport": ".solvers.base", "Status": ".solvers.base"}


if not TYPE_CHECKING:  # a type checker sees the names imported above, and no others (a typo is an error)
    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'resilient_sc' has no attribute {name!r}")
        value = importlib.import_module(home or f".{name}", __name__)
        if home:
            value = getattr(value, name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "RunWarning",
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
