"""Shared fixtures: networks from ``resilient_sc.examples`` (as objects and as a CSV folder), the
analyses computed once on them, and the public benchmark data (tests skip cleanly without it).

The option ``--update-lp`` rewrites the LP snapshots of tests/test_lp_snapshots.py.
"""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, examples
from resilient_sc.analysis import frontier, premium_outcomes, premium_table
from resilient_sc.io import write_network

from .cases import TINY_POLICIES
from .random_networks import random_network

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ORLIB = SHARED / "orlib"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-lp", action="store_true", default=False,
                     help="write tests/lp/<family>.lp from the families as built now")


@pytest.fixture
def update_lp(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-lp"))


# ---- signal handlers ----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    """Every test leaves the stop signals' handlers as it found them; a test that does not fails
    and they are put back."""
    kinds = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    before = {s: signal.getsignal(s) for s in kinds}
    yield
    changed = {s: h for s in kinds if (h := signal.getsignal(s)) is not before[s]}
    for s in changed:
        signal.signal(s, before[s])
    assert not changed, f"the test left these signal handlers changed: {changed} (were {before})"


# ---- benchmark data -----------------------------------------------------------------------
@pytest.fixture
def orlib_dir() -> Path:
    if not ORLIB.is_dir():
        pytest.skip("../shared/data/orlib is not present")
    return ORLIB


# ---- example networks ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def tiny() -> Network:
    """``examples.tiny()``: S_CN alone 1260, S_FR alone 1720, both 1760 (tests/test_policies.py)."""
    return examples.tiny()


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """The tiny example as a CSV folder (optimal cost 1260 via S_CN and H1)."""
    folder = tmp_path / "tiny"
    write_network(examples.tiny().frames(), folder)
    return folder


@pytest.fixture(scope="session")
def electronics() -> Network:
    """The bundled electronics network (with coordinates: it draws on a map)."""
    return examples.electronics()


@pytest.fixture(scope="session")
def located_tiny() -> Network:
    """The tiny network with coordinates for all but S_CN (left off the map)."""
    f = examples.tiny().frames()
    f["suppliers"][["lat", "lon"]] = [[45.2, 5.7], [np.nan, np.nan]]
    f["hubs"][["lat", "lon"]] = [[49.0, 2.5]]
    f["markets"][["lat", "lon"]] = [[48.9, 2.35]]
    return Network.from_frames(**f)


# ---- analyses computed once ---------------------------------------------------------------
@pytest.fixture(scope="session")
def tiny_outcomes():
    """The tiny network, the premium outcomes of the base and TINY_POLICIES, and their table."""
    net = examples.tiny()
    outcomes = premium_outcomes(net, {"base": Policy(), **TINY_POLICIES}, workers=1)
    return net, outcomes, premium_table(outcomes)


@pytest.fixture(scope="session")
def sweep() -> tuple[Network, pd.DataFrame]:
    """min_local_share 0 … 0.75 on a seeded random network (0.75 is infeasible)."""
    net = random_network(0)
    return net, frontier(net, "min_local_share", [0.0, 0.25, 0.5, 0.75], failures=("country",))
