"""Published optima of the OR-Library capacitated warehouse instances (docs/formulation.md §7;
the values are in tests/published.py)."""

from __future__ import annotations

import pytest

from resilient_sc import DataWarning, solve
from resilient_sc.orlib import read_instance
from resilient_sc.verify import verify_plan

from .published import CAPB_8000, HOLMBERG_P1, MULTI_SOURCE


@pytest.mark.parametrize("name", sorted(MULTI_SOURCE))
def test_multi_source_optimum(orlib_dir, name):
    net = read_instance(orlib_dir / f"{name}.txt").to_network()
    plan = solve(net)
    assert plan.objective == pytest.approx(MULTI_SOURCE[name], rel=1e-6)
    assert verify_plan(plan, plan.policy) == []


@pytest.mark.slow
def test_capb_8000(orlib_dir):
    net = read_instance(orlib_dir / "capb.txt", capacity=8000).to_network()
    assert solve(net).objective == pytest.approx(CAPB_8000, rel=1e-6)


def test_holmberg_files_load(orlib_dir):
    """All 71 Holmberg files parse (NUL padding, CRLF and p47's stray numbers handled)."""
    from resilient_sc.orlib import read_holmberg

    files = sorted((orlib_dir / "holmberg").glob("p*"), key=lambda p: int(p.name[1:]))
    assert len(files) == 71
    for path in files:
        if path.name == "p47":  # its stray numbers are said, not read
            with pytest.warns(DataWarning, match=r"\(p47\) \| line 111: 17 numbers after the 1,012 of the "
                                                 r"instance are ignored"):
                inst = read_holmberg(path)
        else:
            inst = read_holmberg(path)
        m, n = inst.allocation_cost.shape
        assert inst.capacity.shape == (m,) and inst.demand.shape == (n,)
        assert inst.capacity.sum() >= inst.demand.sum() > 0
    with pytest.warns(DataWarning):
        net = read_holmberg(files[46]).to_network()  # p47: 10 facilities x 90 customers
    assert len(net.hubs) == 10 and len(net.markets) == 90


def test_holmberg_p1_single_source(orlib_dir):
    """Published single-source optimum of Holmberg p1 (Holmberg, Rönnqvist & Yuan 1999)."""
    from resilient_sc import Policy

    net = read_instance(orlib_dir / "holmberg" / "p1").to_network()
    assert solve(net, Policy(single_sourcing=True)).objective == pytest.approx(HOLMBERG_P1, rel=1e-6)


def test_cap71_single_source(orlib_dir):
    """cap71's single-source optimum equals its multi-source one (capacity = total demand)."""
    from resilient_sc import Policy

    net = read_instance(orlib_dir / "cap71.txt").to_network()
    plan = solve(net, Policy(single_sourcing=True))
    assert plan.objective == pytest.approx(MULTI_SOURCE["cap71"], rel=1e-6)


def test_a_renamed_file_is_never_read_in_the_other_layout(orlib_dir, tmp_path):
    """cap41 saved as inst41.txt holds as many numbers as a Holmberg file and was read as one
    (customer C2's demand became 6739.725, a cost): a name that tells neither format is refused,
    and ``kind`` (CLI ``--format``) reads it as what it is."""
    from resilient_sc import ValidationError

    renamed = tmp_path / "inst41.txt"
    renamed.write_bytes((orlib_dir / "cap41.txt").read_bytes())
    with pytest.raises(ValidationError, match=r"\(inst41.txt\) \| the name tells neither format.*--format"):
        read_instance(renamed)
    with pytest.raises(ValidationError, match="format 'excel': expected one of orlib, holmberg"):
        read_instance(renamed, kind="excel")
    as_orlib = read_instance(renamed, kind="orlib")
    assert (as_orlib.demand == read_instance(orlib_dir / "cap41.txt").demand).all()
    assert not as_orlib.single_source and read_instance(orlib_dir / "holmberg" / "p1").single_source
    assert solve(as_orlib.to_network()).objective == pytest.approx(MULTI_SOURCE["cap41"], rel=1e-6)
