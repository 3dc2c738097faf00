"""The network design MILP, one module per constraint family, and its build sequence."""

from .build import NetworkModel, build_model

__all__ = ["NetworkModel", "build_model"]
