"""What one browser tab holds (:class:`Session`): its data, policy, plans and named scenarios.

A session is created per page visit (per tab), never shared: two tabs never see each other's
scenarios. Plain Python, no web framework: the pages read and change it, the tests drive it.

>>> s = Session.example()
>>> s.network
Network(22 suppliers, 8 hubs, 25 markets, 3 products, 13 countries)
>>> sorted(s.countries())[:3]
['BR', 'CA', 'CN']
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..data import Network, read_network
from ..examples import electronics
from ..exceptions import ResilientSCError, ValidationError
from ..policy import Policy
from ..results import Plan
from ..schema import TABLES

#: ``(table, row N 'id') | message`` as the library writes each problem (exceptions.ValidationError)
_PROBLEM = re.compile(r"^\((?P<table>[^,)]+)(?:, row (?P<row>\d+)(?: '(?P<id>.*?)')?)?\) \| (?P<message>.*)$",
                      re.DOTALL)


@dataclass
class Scenario:
    """A named policy and its plan (None: infeasible or not solved; ``reason`` says why), and
    the stress test of its design once run."""

    name: str
    policy: Policy
    plan: Plan | None
    reason: str = ""
    stress: Any = None


@dataclass
class Session:
    """The state of one tab: the network and its editable tables, the policy being edited, the
    plan of the last solve, the named scenarios (the first solved one is the base of the
    premiums) and the last stress test. Downloads are written in ``workdir``, a temporary
    folder of the session's own, never next to the user's inputs."""

    network: Network
    source: str
    frames: dict[str, pd.DataFrame]
    policy: Policy = field(default_factory=Policy)
    plan: Plan | None = None
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    stress: Any = None
    frontier: Any = None  # the last frontier: (field, its table)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="resilient_sc-app-")))

    @classmethod
    def example(cls) -> Session:
        """The bundled electronics example."""
        return cls.of(electronics(), "bundled example (electronics)")

    @classmethod
    def open(cls, path: str | Path | None) -> Session:
        """The network at ``path`` (a CSV folder or an .xlsx workbook); the example for None."""
        if path is None:
            return cls.example()
        return cls.of(read_network(path), str(path))

    @classmethod
    def of(cls, network: Network, source: str) -> Session:
        return cls(network=network, source=source, frames=network.frames())

    def replace_network(self, network: Network, source: str) -> None:
        """New data: plans, scenarios and the stress test of the old data no longer apply."""
        self.network, self.source, self.frames = network, source, network.frames()
        self.plan, self.stress, self.scenarios, self.frontier = None, None, {}, None

    def countries(self) -> list[str]:
        return [str(c) for c in self.network.countries["country"]]

    def apply_edits(self) -> None:
        """Validate the edited tables (:meth:`Network.from_frames`) and use them; a
        :class:`ValidationError` leaves the session as it was."""
        network = Network.from_frames(source=self.source, **cleaned(self.frames))
        self.replace_network(network, self.source)

    def add_scenario(self, name: str, policy: Policy, plan: Plan | None, reason: str = "") -> Scenario:
        self.scenarios[name] = Scenario(name, policy, plan, reason)
        return self.scenarios[name]

    def set_stress(self, stress: Any) -> None:
        """The stress test of the current plan, kept with the scenarios that hold that plan."""
        self.stress = stress
        for s in self.scenarios.values():
            if s.plan is not None and s.plan is self.plan:
                s.stress = stress

    def base_scenario(self) -> Scenario | None:
        """The scenario premiums are measured against: the base policy's, else the first."""
        solved = [s for s in self.scenarios.values() if s.plan is not None]
        bases = [s for s in solved if s.policy.is_base]
        return (bases or solved or [None])[0]


def cleaned(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as edited in a grid: empty strings become missing values, empty tables dropped."""
    out = {}
    for name, df in frames.items():
        if len(df):
            out[name] = df.replace({"": None})
    return out


def problem_rows(exc: ValidationError) -> list[dict[str, Any]]:
    """The problems of ``exc`` as rows of table, row, id, column and message (the column: the
    first word of the message when it names a column of that table)."""
    rows = []
    for problem in exc.problems:
        m = _PROBLEM.match(problem)
        if m is None:
            rows.append({"table": "", "row": "", "id": "", "column": "", "message": problem})
            continue
        table, message = m["table"], m["message"]
        first = message.split(" ", 1)[0]
        column = first if table in TABLES and first in TABLES[table].names else ""
        rows.append({"table": table, "row": m["row"] or "", "id": m["id"] or "", "column": column,
                     "message": message})
    return rows


def error_text(exc: BaseException) -> str:
    """One line or a few for the page: the library's own message (never a traceback)."""
    if isinstance(exc, ResilientSCError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
