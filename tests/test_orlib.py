"""Published optima of the OR-Library capacitated warehouse instances (MODEL.md §7)."""

from __future__ import annotations

import pytest

from resilient_sc import solve
from resilient_sc.orlib import read_instance

# Beasley's OR-Library 'capopt' values for the multi-source capacitated problem
PUBLISHED = {"cap41": 1040444.375, "cap71": 932615.750}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_multi_source_optimum(orlib_dir, name):
    net = read_instance(orlib_dir / f"{name}.txt").to_network()
    plan = solve(net)
    assert plan.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    assert plan.verify() == []


@pytest.mark.slow
def test_capb_8000(orlib_dir):
    net = read_instance(orlib_dir / "capb.txt", capacity=8000).to_network()
    assert solve(net).objective == pytest.approx(13082516.496, rel=1e-6)
