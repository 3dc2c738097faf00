"""The order of the rows in the data picks nothing: the same network with every table's rows
shuffled gives the same plan, table for table and row for row (the model's suppliers, hubs,
supplier products and disruption scenarios are sorted by id; lanes, demand and countries were
already). Where several plans cost the same, the rows' order picked one of them before: a
planner who re-sorted a spreadsheet saw a market's country mix move by 30 points."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from resilient_sc import Policy, examples, solve
from resilient_sc.roadmap import solve_roadmap

TABLES = ("countries", "suppliers", "supplier_products", "hubs", "markets", "demand", "lanes",
          "tariffs", "disruptions")


def shuffled(net, seed: int):
    """``net`` with the rows of every table shuffled but ``periods`` (whose order is the periods')
    and ``products`` (whose order is that of the outputs' product columns)."""
    return net.replace(**{t: getattr(net, t).sample(frac=1.0, random_state=seed).reset_index(drop=True)
                          for t in TABLES})


def same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name].reset_index(drop=True), b[name].reset_index(drop=True),
                                      obj=name)


@pytest.mark.parametrize("policy", [
    Policy(),
    Policy(min_allied_share=0.7, max_country_share=0.4),  # origins tracked: ties in their labels
    Policy(shortfall_penalty=500, max_country_share=0.3),  # with the disruption scenarios
    Policy(survive=("supplier",), single_sourcing=True),
], ids=["base", "friend-shoring", "disruptions", "survive-single-sourcing"])
def test_shuffled_rows_give_the_same_plan(policy):
    net = examples.electronics()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plans = [solve(n, policy) for n in (net, shuffled(net, 1), shuffled(net, 2))]
    for other in plans[1:]:
        assert other.objective == plans[0].objective
        assert other.supplier_ids == plans[0].supplier_ids and other.hub_ids == plans[0].hub_ids
        same_tables(plans[0].tables(), other.tables())


def test_shuffled_rows_give_the_same_roadmap():
    net = examples.electronics_roadmap()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = (solve_roadmap(n, Policy(min_local_share={"2030": 0.5})) for n in (net, shuffled(net, 3)))
    assert a.objective == b.objective
    same_tables(a.tables(), b.tables())


def test_shuffled_rows_give_the_same_stress_test_and_figure_colours():
    """A stress test listed the disruption scenarios, and a scenario's elements, in the data's
    row order (a tie between two failures named the one first in the data); a roadmap figure
    gave each country the colour of its first appearance in the suppliers table, and a network
    map placed its labels in the rows' order."""
    from resilient_sc import stress_test
    from resilient_sc.analysis.maps import map_nodes
    from resilient_sc.analysis.roadmap_figure import _country_colours

    net = examples.electronics()
    again = shuffled(net, 3)
    same_tables({"failures": stress_test(net, solve(net)).failures},
                {"failures": stress_test(again, solve(again)).failures})
    def colours(n):
        return _country_colours(SimpleNamespace(model=SimpleNamespace(network=n)), ["CN", "XX"])

    assert colours(net) == colours(again) and list(colours(net))[-1] == "XX"
    assert map_nodes(net).equals(map_nodes(again))  # a map's labels are placed in this order
