"""Premiums (docs/formulation.md §6): the cost of each policy over the cost-optimal base, in
serial, in worker processes and on a dask cluster.

Costs of the tiny network (``examples.tiny``; see tests/test_policies.py): base S_CN alone
1260, S_FR alone 1720, both 1760 (fixed 800 + 80·12).
"""

from __future__ import annotations

import pandas as pd
import pytest

from resilient_sc.analysis import premium

from .cases import TINY_POLICIES as POLICIES

#: columns that differ between runs of the same solves
TIMING = ["solve_time"]


def test_premium_base_is_zero_and_others_non_negative(tiny_outcomes):
    _, _, table = tiny_outcomes
    rows = table.set_index("policy")
    assert rows.loc["base", "premium"] == 0.0 and rows.loc["base", "premium_pct"] == 0.0
    feasible = rows.loc[rows["status"] == "optimal"]
    assert (feasible["premium"] >= 0).all()
    assert rows.loc["near", "cost"] == pytest.approx(1720.0)
    assert rows.loc["survive", "premium_pct"] == pytest.approx(100 * (1760 - 1260) / 1260)
    assert rows.loc["impossible", "status"] == "infeasible"
    assert "Paris" in rows.loc["impossible", "reason"]


def test_premium_parallel_equals_serial(tiny_outcomes):
    net, _, serial = tiny_outcomes
    parallel = premium(net, POLICIES, workers=2)
    pd.testing.assert_frame_equal(parallel.drop(columns=TIMING), serial.drop(columns=TIMING))


def test_premium_on_a_dask_cluster_equals_serial(tiny_outcomes):
    distributed = pytest.importorskip("distributed")
    net, _, serial = tiny_outcomes
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        table = premium(net, POLICIES, executor=client)
    pd.testing.assert_frame_equal(table.drop(columns=TIMING), serial.drop(columns=TIMING))
