"""Single sourcing's projected route: relax and fix (the LP relaxation by the interior point, its
whole assignments fixed) gives a bound and a plan before HiGHS runs on the projected model.

The hand-solved network: supplier S (cost 0; T, at 10 per unit, keeps it from being a plain
facility location problem) reaches three hubs (capacity 7 each, no fixed
cost), each hub reaches three markets of demand 6, 6 and 5 at 1, 2 or 3 per unit (H1, H2, H3).
Every market on one hub, and no hub can take two markets (11 > 7): the optimum puts the larger
markets on the cheaper hubs, 6·1 + 6·2 + 5·3 = 33. The LP relaxation splits markets: H1 7 units,
H2 7, H3 3, so 7·1 + 7·2 + 3·3 = 30.

With demands 6, 6 and 6 every hub's load is a multiple of 6, so a hub of 7 holds at most 6 of
whole markets (:func:`resilient_sc.solvers.projection.whole_loads`): the LP relaxation is then the
optimum, 6·1 + 6·2 + 6·3 = 36 (it was 7·1 + 7·2 + 4·3 = 33 with the capacity of 7).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, SolveOptions
from resilient_sc.model.build import build_model
from resilient_sc.solvers import projection
from resilient_sc.solvers.base import Status
from resilient_sc.solvers.certify import is_feasible
from resilient_sc.solvers.routes import solve_linear

ONE = SolveOptions(threads=1)
HUBS, MARKETS = ["H1", "H2", "H3"], ["M1", "M2", "M3"]


def three_markets(demand: tuple[float, ...] = (6.0, 6.0, 5.0)) -> Network:
    lanes = ([(s, h, 0.0) for s in ("S", "T") for h in HUBS]
             + [(h, m, 1.0 + i) for i, h in enumerate(HUBS) for m in MARKETS])
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S", "T"], "country": "X"}),
        supplier_products=pd.DataFrame({"supplier": ["S", "T"], "capacity": 100.0, "unit_cost": [0.0, 10.0]}),
        hubs=pd.DataFrame({"hub": HUBS, "country": "X", "capacity": 7.0}),
        markets=pd.DataFrame({"market": MARKETS, "country": "X"}),
        demand=pd.DataFrame({"market": MARKETS, "demand": demand}),
        lanes=pd.DataFrame(lanes, columns=["origin", "destination", "unit_cost"]))


def _projected(network: Network):
    model = build_model(network, Policy(single_sourcing=True))
    found = projection.recognise(model)
    assert found is not None
    position = np.full(model.lm.n_cols, -1)
    position[found[1]] = np.arange(len(found[1]))
    return model, found, projection._project(model, found), position


def test_relax_and_fix_bounds_and_plans_the_hand_solved_network():
    model, (proj, _), p, position = _projected(three_markets())
    bound, fixed, note = projection._relax_and_fix(model, p, position, ONE, math.inf)
    assert bound == pytest.approx(30.0, rel=1e-6) and bound <= 30.0
    assert fixed is not None and fixed.objective == pytest.approx(33.0)
    assert is_feasible(model.lm, proj @ fixed.x)
    assert "LP relaxation 30.00" in note and note.endswith("0 markets it assigns whole fixed, 3 free")
    plain, _ = solve_linear(model, SolveOptions(threads=1, accelerate=False))
    assert plain.objective == pytest.approx(33.0)


def test_whole_loads_make_the_lp_relaxation_of_equal_markets_the_optimum():
    """Demands 6, 6 and 6: a hub of 7 holds at most 6 of whole markets, so the LP relaxation of
    the knapsack rows is the optimum, 36 (33 with the capacity of 7 in them)."""
    model, _, p, position = _projected(three_markets((6.0, 6.0, 6.0)))
    assert model.lm.constraints["assign_capacity"].size == 3
    bound, fixed, _ = projection._relax_and_fix(model, p, position, ONE, math.inf)
    assert bound == pytest.approx(36.0, rel=1e-6) and fixed is not None
    assert fixed.objective == pytest.approx(36.0)
    plain, _ = solve_linear(model, SolveOptions(threads=1, accelerate=False))
    assert plain.objective == pytest.approx(36.0)


def test_whole_loads_round_only_knapsack_rows_of_whole_weights_over_binaries():
    """600·a1 + 1200·a2 ≤ 2250·o holds 1800 of whole loads; a fractional weight, a continuous
    column or a row with a lower bound is left as it is."""
    import scipy.sparse as sp

    a = sp.csr_matrix(np.array([[600.0, 1200.0, -2250.0, 0.0], [600.5, 1200.0, -2250.0, 0.0],
                                [600.0, 0.0, -2250.0, 1200.0], [600.0, 1200.0, -2250.0, 0.0]]))
    lo, up = np.array([-np.inf, -np.inf, -np.inf, 0.0]), np.zeros(4)
    integer = np.array([True, True, True, False])
    out = projection.whole_loads(a, lo, up, np.zeros(4), np.array([1.0, 1.0, 1.0, np.inf]), integer)
    assert out.toarray()[:, 2].tolist() == [-1800.0, -2250.0, -2250.0, -2250.0]
    assert a.toarray()[0, 2] == -2250.0  # the matrix given is not changed


@pytest.mark.parametrize("capacity", [float(np.nextafter(12.0, 0.0)), 11.9999999])
def test_whole_loads_never_cut_off_a_plan_the_certificate_accepts(capacity):
    """A capacity a float step below two loads of 6 (12 written by a formula as
    11.999999999999998) became 6, and a plan six times dearer was 'optimal' beside the plain
    solve's certified one (review audit): a plan within the certificate's tolerance stays."""
    f = three_markets((6.0, 6.0, 6.0)).frames()
    f["hubs"] = f["hubs"].assign(capacity=[capacity, 100.0, 100.0])
    f["demand"] = f["demand"].iloc[:2]
    model = build_model(Network.from_frames(**f), Policy(single_sourcing=True))
    fast, report = solve_linear(model, ONE)
    plain, _ = solve_linear(model, SolveOptions(threads=1, accelerate=False))
    assert report.route == "projected" and fast.objective == pytest.approx(plain.objective)
    assert plain.objective == pytest.approx(12.0)  # both markets on H1, at 1 a unit


def _out_of_time(h, is_mip):
    return projection.SolverResult(Status.TIME_LIMIT, None, math.nan, 0.0, math.inf, 1.0,
                                   "Time limit reached")


def test_an_lp_out_of_time_gives_no_bound_and_no_plan(monkeypatch):
    model, _, p, position = _projected(three_markets())
    monkeypatch.setattr(projection, "run_highs", _out_of_time)
    bound, fixed, note = projection._relax_and_fix(model, p, position, ONE, math.inf)
    assert bound == -math.inf and fixed is None
    assert note.startswith("LP relaxation not solved (Time limit reached")


def test_without_a_plan_from_highs_the_relax_and_fix_plan_is_the_answer(monkeypatch):
    """HiGHS on the projected model finds nothing in time (as on ladder XL, whose root LP it had
    not solved after 228 s): the answer is the relax-and-fix plan, with the LP's bound, certified
    against every row of the model."""
    model = build_model(three_markets(), Policy(single_sourcing=True))
    real, runs = projection.run_highs, []

    def nothing_from_the_last(h, is_mip):
        result = real(h, is_mip)
        runs.append(result)
        return result if len(runs) < 3 else _out_of_time(h, is_mip)

    monkeypatch.setattr(projection, "run_highs", nothing_from_the_last)
    result, report = solve_linear(model, ONE)
    assert len(runs) == 3 and report.route == "projected"
    assert result.status is Status.TIME_LIMIT and result.objective == pytest.approx(33.0)
    assert result.bound == pytest.approx(30.0, rel=1e-6) and result.gap == pytest.approx(3 / 33, rel=1e-5)
    assert "relax-and-fix plan" in report.note
    assert is_feasible(model.lm, result.x)


def test_the_optimum_of_highs_keeps_its_own_bound():
    model = build_model(three_markets(), Policy(single_sourcing=True))
    result, report = solve_linear(model, ONE)
    assert report.route == "projected" and result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(33.0) and result.bound == pytest.approx(33.0)
    assert "LP relaxation 30.00" in report.note


def test_lifting_for_probing_is_set_for_assignment_models_only():
    """HiGHS's lifting for probing (ladder M single sourcing in a third of the nodes at seed 0)
    goes to models with hub-market assignments; the flow models keep HiGHS's default."""
    import highspy

    from resilient_sc import SolveOptions
    from resilient_sc.solvers.highs import tune

    for assignments, level in ((True, 3), (False, -1)):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        tune(h, SolveOptions(), assignments)
        assert h.getOptionValue("mip_lifting_for_probing")[1] == level
