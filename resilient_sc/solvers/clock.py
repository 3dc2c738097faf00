"""The clock of one :func:`~.routes.solve_linear` call: seconds by phase (building the solver's
copy, solving, certifying), each phase timed where it runs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .certify import costs_as_said, is_feasible, made_exact

if TYPE_CHECKING:
    from ..model.build import NetworkModel
    from .base import SolveOptions, SolverResult
    from .highs import Design
    from .routes import Route


@dataclass
class Clock:
    """Seconds by phase of one solve_linear call."""

    build: float = 0.0
    solve: float = 0.0
    certify: float = 0.0

    def run(self, route: Route, model: NetworkModel, options: SolveOptions, deadline: float,
            start: Design | None) -> SolverResult:
        """``route.solve``; its own solver time counts as solve, the rest (the solver's copy of
        the model) as build."""
        t = time.perf_counter()
        try:
            if route.start == "use":
                result = route.solve(model, options, deadline, start)
            else:
                result = route.solve(model, options, deadline)
        finally:
            wall = time.perf_counter() - t
        ran = min(max(result.solve_time, 0.0), wall)
        self.solve += ran
        self.build += wall - ran
        return result

    def costs_what_it_says(self, model: NetworkModel, result: SolverResult) -> bool:
        """Whether ``result``'s objective is the cost of its plan (:func:`~.certify.costs_as_said`)."""
        t = time.perf_counter()
        try:
            return costs_as_said(model.lm, result)
        finally:
            self.certify += time.perf_counter() - t

    def exact(self, model: NetworkModel, result: SolverResult, options: SolveOptions, deadline: float,
              is_mip: bool, notes: list[str]) -> SolverResult:
        """``result`` made exact (:func:`~.certify.made_exact`), in the certificate's time."""
        t = time.perf_counter()
        try:
            return made_exact(model.lm, result, options, deadline, is_mip, notes)
        finally:
            self.certify += time.perf_counter() - t

    def certified(self, model: NetworkModel, x: Any) -> bool:
        t = time.perf_counter()
        ok = is_feasible(model.lm, x)
        self.certify += time.perf_counter() - t
        return ok
