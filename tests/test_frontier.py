"""Frontiers (docs/formulation.md §6): one policy field swept over values, cost and worst-case
service at each point, with and without warm starts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilient_sc.analysis import frontier


def test_frontier_cost_never_falls_as_the_share_tightens(sweep):
    net, df = sweep
    assert df["status"].tolist()[-1] == "infeasible"
    costs = df.loc[df["status"] == "optimal", "cost"].to_numpy()
    assert len(costs) == 3 and (np.diff(costs) >= -1e-6).all()
    assert df.loc[0, "premium"] == pytest.approx(0.0, abs=1e-9)
    # both hubs of the network are in C1: losing C1 leaves every market without supply
    assert set(net.hubs["country"]) == {"C1"}
    assert df["worst_served"].iloc[:3].tolist() == [0.0, 0.0, 0.0]
    assert df["worst_failure"].iloc[:3].tolist() == ["country:C1"] * 3


def test_frontier_warm_and_cold_give_the_same_costs(sweep):
    net, warm = sweep
    cold = frontier(net, "min_local_share", warm["min_local_share"].tolist(), warm_start=False,
                    workers=1, failures=())
    pd.testing.assert_series_equal(warm["cost"], cold["cost"], rtol=1e-9)
    assert cold["status"].tolist() == warm["status"].tolist()


def test_a_cold_sweeps_workers_stress_test_their_own_designs(electronics):
    """Cold points run in worker processes, each stress-testing its design there: the same costs
    and worst cases as the warm sweep in this process, and every point's design keeps the
    service level it was asked to survive a country failure with."""
    from resilient_sc import Policy
    policy, levels = Policy(survive=("country",)), [0.3, 0.6]
    warm = frontier(electronics, "service_level", levels, policy)
    cold = frontier(electronics, "service_level", levels, policy, warm_start=False, workers=2)
    for column in ("cost", "worst_served"):
        pd.testing.assert_series_equal(warm[column], cold[column], rtol=1e-9)
    assert cold["worst_failure"].tolist() == warm["worst_failure"].tolist()
    assert (cold["worst_served"] >= np.array(levels) - 1e-9).all()


def test_a_cold_sweep_runs_in_parallel_by_default(sweep, monkeypatch):
    """frontier(warm_start=False) ran its points one after the other unless given ``workers``
    (its default was 1), though its docstring and docs/analysis.md say they run in parallel,
    as premium()'s policies do (one process per core)."""
    import importlib

    module = importlib.import_module("resilient_sc.analysis.frontier")  # the name is also the function's
    seen = {}

    def record(fn, tasks, workers=None, executor=None, progress=None, names=None):
        seen["workers"] = workers
        return [fn(*task) for task in tasks]

    monkeypatch.setattr(module, "run_all", record)
    net, warm = sweep
    frontier(net, "min_local_share", warm["min_local_share"].tolist(), warm_start=False, failures=())
    assert seen == {"workers": None}  # run_all: one process per core


def test_every_point_is_stress_tested_at_the_default_penalties():
    """At its own shortfall_penalty of 50 the design {S1, S2} replayed losing S1 left M all short
    (re-routing through S2 costs 62 a unit), and the frontier said 0% "guaranteed"; S2 can serve
    all 50 units, so the guarantee is 100% at both points."""
    from .cases import backed_up

    table = frontier(backed_up(), "shortfall_penalty", [50.0, 100.0], failures=("supplier",), workers=1)
    assert table["worst_served"].tolist() == pytest.approx([1.0, 1.0])
    assert table["n_suppliers"].tolist() == [2, 2]
    from resilient_sc.analysis.frontier_report import frontier_sentences

    said = " ".join(frontier_sentences(table, "shortfall_penalty"))  # no failure named when none hurts
    assert ("at shortfall_penalty = 50 every market still gets all of its demand of every product"
            in said) and "(supplier:" not in said


def test_a_warm_frontier_says_it_uses_no_executor(tiny):
    """The points of a warm frontier are solved in order here: an executor or workers given were
    ignored without a word (the Dask cluster stayed idle)."""
    from concurrent.futures import ThreadPoolExecutor

    from resilient_sc import RunWarning, frontier

    with ThreadPoolExecutor(1) as pool, pytest.warns(RunWarning, match="executor and workers are not used"):
        frontier(tiny, "min_suppliers", [1], executor=pool, failures=())


def test_a_frontier_of_uneven_values_names_its_steepest_step():
    """Premiums 2.63, 5.75, 6.11, 6.50 (%) at min_local_share 0.5, 0.9, 0.95, 1 (the example's):
    the widest step rises most (+3.12 points over 0.4: 7.8 a unit) but the last is the steepest
    (+0.39 over 0.05: 7.9 a unit); evenly spaced values keep "largest"."""
    from resilient_sc.analysis.frontier_report import largest_step

    ok = pd.DataFrame({"min_local_share": [0.5, 0.9, 0.95, 1.0], "premium_pct": [2.63, 5.75, 6.1105, 6.5038]})
    assert largest_step(ok, "min_local_share") == [
        "The steepest step in premium is from 0.95 to 1: +0.39 percentage points (7.87 points per unit of "
        "min_local_share; the values are not evenly spaced)."]
    even = ok.assign(min_local_share=[0.25, 0.5, 0.75, 1.0])
    assert largest_step(even, "min_local_share") == [
        "The largest step in premium is from 0.25 to 0.5: +3.12 percentage points."]


def test_a_frontier_has_its_columns_whichever_points_have_no_plan():
    """An infeasible first point moved the design's columns after ``reason``, and a sweep without
    any plan had none of them (``table['n_suppliers']`` a KeyError): API audit."""
    from resilient_sc import examples

    net = examples.tiny()  # two suppliers: min_suppliers 3 and 4 have no plan
    feasible, first_out, none = (frontier(net, "min_suppliers", v, failures=())
                                 for v in ([1, 2], [3, 1], [3, 4]))
    assert list(first_out.columns) == list(none.columns) == list(feasible.columns)
    assert none["n_suppliers"].isna().all() and (none["status"] == "infeasible").all()


def test_values_given_out_of_order_are_swept_as_a_curve():
    """Given as 0.9, 0, 0.75, 0.25, 0.5 the figure went back and forth across its axis and the
    'largest step' ran from 0 to 0.75 over two values (faults audit): numbers are swept ascending."""
    from resilient_sc import examples
    from resilient_sc.analysis.frontier_report import frontier_sentences

    df = frontier(examples.tiny(), "min_local_share", [0.9, 0, 0.5], workers=1)
    assert df["min_local_share"].tolist() == [0, 0.5, 0.9]
    assert not any("from 0.9 to" in s for s in frontier_sentences(df, "min_local_share"))


def test_a_starting_policy_stopped_at_the_time_limit_is_named_as_the_reference():
    """A time limit that left the starting policy without a plan said a plain 'no plan: the time
    limit was reached', naming no policy, where premium names its base (faults audit)."""
    from resilient_sc import NotOptimalError, Policy, SolveOptions, examples

    slow = Policy(survive=("country", "hub", "supplier"), single_sourcing=True)
    said = r"^the starting policy, the reference of the premiums, has no plan kept, so no premium can be"
    with pytest.raises(NotOptimalError, match=said) as err:
        frontier(examples.electronics(), "service_level", [0.5, 0.8], slow, SolveOptions(time_limit=0.2))
    assert err.value.status == "time_limit"  # its own, kept
