"""Premiums (docs/formulation.md §6): the cost of each policy over the cost-optimal base, in
serial, in worker processes and on a dask cluster.

Costs of the tiny network (``examples.tiny``; see tests/test_policies.py): base S_CN alone
1260, S_FR alone 1720, both 1760 (fixed 800 + 80·12).
"""

from __future__ import annotations

import pandas as pd
import pytest

from resilient_sc import Policy, SolveOptions
from resilient_sc.analysis import premium, premium_outcomes, premium_table
from resilient_sc.analysis.figures import premium_figure
from resilient_sc.analysis.premium import counts_penalties, shown_columns
from resilient_sc.analysis.report import premium_sentences

from .cases import TINY_POLICIES as POLICIES
from .test_disruption import disrupted_tiny

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


def test_a_premium_says_what_part_is_disruption_scenario_cost():
    """China fails with probability 0.1 (tests/test_disruption.py): the disruption-aware plan
    contracts S_FR alone, network cost 1720, and counts 0.1 · 80 · 14 = 112 of scenario recourse
    cost, 1832 in all; the base (S_CN alone, 1260) counts none. So the premium is
    (1832 − 1260) / 1260 = 45.4%, of which the network's is (1720 − 1260) / 1260 = 36.5%."""
    outcomes = premium_outcomes(disrupted_tiny(), {"aware": Policy(shortfall_penalty=1000.0)}, failures=(),
                                workers=1)
    table = premium_table(outcomes)
    row = table.set_index("policy").loc["aware"]
    assert row["cost"] == pytest.approx(1832.0) and row["network_cost"] == pytest.approx(1720.0)
    assert row["premium_pct"] == pytest.approx(100 * 572 / 1260)
    assert row["network_premium_pct"] == pytest.approx(100 * 460 / 1260)
    assert counts_penalties(table)
    assert shown_columns(["policy", "premium_pct", "cost"], table) == [
        "policy", "premium_pct", "network_premium_pct", "cost"]
    sentence = premium_sentences(outcomes, table)[1]
    # the network's premium first: the cost's, 45.4%, counts what no one pays (audit of the analyses)
    assert sentence.startswith(
        "aware (shortfall_penalty 1000) costs 36.5% more than the cost-optimal base in its network (design "
        "and flows); its cost, with 112.00 of disruption-scenario cost (each scenario's re-routed "
        "deliveries, weighted: ordinary deliveries counted again, not what the disruptions add) in it, which "
        "the base's cost does not count, is 45.4% more")
    labels = [t.get_text() for t in premium_figure(table).legends[0].get_texts()]
    assert labels[0] == "network: design and flows"
    assert labels[1].startswith("shortfall and disruption-scenario")


def test_without_penalties_the_network_premium_is_the_premium(tiny_outcomes):
    _, _, table = tiny_outcomes
    ok = table["status"] == "optimal"
    assert (table.loc[ok, "network_premium_pct"] == table.loc[ok, "premium_pct"]).all()
    assert not counts_penalties(table)
    figure = premium_figure(table)
    assert figure.axes[0].get_legend() is None and not figure.legends



def test_a_frontier_over_the_shortfall_penalty_shows_the_network_premium_too():
    """Sweeping shortfall_penalty on the disrupted tiny network (base: no penalty, S_CN, 1260):
    at 1000 the plan is S_FR alone, 1832 in all of which 1720 is its network (the docstring of
    the test above); the figure draws both premiums."""
    from resilient_sc import frontier
    from resilient_sc.analysis.figures import frontier_figure

    df = frontier(disrupted_tiny(), "shortfall_penalty", [1000.0], failures=())
    assert counts_penalties(df)
    row = df.iloc[0]
    assert (row["cost"], row["network_cost"]) == pytest.approx((1832.0, 1720.0))
    assert row["network_premium_pct"] == pytest.approx(100 * 460 / 1260)
    labels = [t.get_text() for t in frontier_figure(df, "shortfall_penalty").legends[0].get_texts()]
    assert labels[:2] == ["premium (cost counts shortfall and\ndisruption-scenario cost)",
                          "network premium (without them)"]


def test_every_design_is_stress_tested_on_one_basis():
    """The same design {S1, S2} read 100% served as the base and 0% as the policy priced at 50 a
    unit short (its own price, cheaper than re-routing through S2 at 62): now both at the default
    penalties (the guarantee, 100%), or both at a penalty given."""
    from .cases import backed_up

    table = premium_table(premium_outcomes(backed_up(), {"priced": Policy(shortfall_penalty=50.0)},
                                           failures=("supplier",), workers=1))
    assert table["worst_served"].tolist() == pytest.approx([1.0, 1.0])
    given = premium_table(premium_outcomes(backed_up(), {"priced": Policy(shortfall_penalty=50.0)},
                                           failures=("supplier",), penalty=50.0, workers=1))
    assert given["worst_served"].tolist() == pytest.approx([0.0, 0.0])


def test_design_ids_holding_spaces_read_back_whole():
    """The premium table's suppliers were joined by spaces: 'S FR S_CN' read as three."""
    import shlex

    from resilient_sc import examples

    net = examples.tiny()
    spaced = {"S_FR": "S FR"}
    tables = ("suppliers", "supplier_products", "lanes")
    net = net.replace(**{t: getattr(net, t).replace(spaced) for t in tables})
    table = premium(net, {"two": Policy(min_suppliers=2)}, workers=1)
    assert table["suppliers"].tolist() == ["S_CN", '"S FR" S_CN']
    assert [shlex.split(ids) for ids in table["suppliers"]] == [["S_CN"], ["S FR", "S_CN"]]


def test_design_ids_starting_as_formulas_read_back_from_the_csv(tmp_path):
    """premium.csv escapes a cell starting as a formula with a leading quote: '-S1 S_CN' read as
    "'-S1 S_CN" and shlex.split failed ('No closing quotation'); such an id is quoted."""
    import csv
    import shlex

    from resilient_sc import examples, io

    net = examples.tiny()
    odd = {"S_FR": "-5", "S_CN": "=S_CN"}  # a number too: '-5 S1' starts as a formula
    tables = ("suppliers", "supplier_products", "lanes")
    net = net.replace(**{t: getattr(net, t).replace(odd) for t in tables})
    io.write_csv(tmp_path / "premium.csv", premium(net, {"two": Policy(min_suppliers=2)}, workers=1))
    with open(tmp_path / "premium.csv", newline="", encoding="utf-8") as f:
        cells = [row["suppliers"] for row in csv.DictReader(f)]
    assert [shlex.split(ids) for ids in cells] == [["=S_CN"], ["-5", "=S_CN"]]
    assert cells[1] == '"-5" "=S_CN"'  # no leading quote: the mark of an escaped cell


def test_a_warning_of_each_solve_names_its_policy_in_any_executor():
    """A premium solves many policies: a warning of one solve (here the fixed cost of a hub the
    data keeps open, widening the gap on the rest) names the policy it came from, serially, in a
    thread pool (each thread its own name), where each read a bare ``(solve)``, and in worker
    processes, whose warnings are raised in the caller (printed by the workers, a program's
    filters and the command's --json never saw them). A warning with a place of its own names
    the policy after its text (the solver log not written: ``(log) | … (in the solve of near)``)."""
    import inspect
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from resilient_sc import Network, RunWarning, examples

    f = examples.electronics().frames()
    hubs = f["hubs"].set_index("hub")
    hubs.loc["H_Busan", ["fixed_cost", "status"]] = [1e11, "open"]
    net = Network.from_frames(**{**f, "hubs": hubs.reset_index()})
    policies = {"near": Policy(min_local_share=0.5), "two": Policy(min_suppliers=2)}
    call = inspect.currentframe().f_lineno + 4  # the line of premium(...) below
    for how in ({"workers": 1}, {"executor": ThreadPoolExecutor(2)}, {"workers": 2}):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            premium(net, policies, failures=(), **how)
        places = sorted(str(w.message).split(" | ")[0] for w in said if issubclass(w.category, RunWarning))
        assert places == ["(solve of base)", "(solve of near)", "(solve of two)"], how
        # at this line, as the library warns: in a thread pool too (they pointed at the pool's code)
        assert {(w.filename, w.lineno) for w in said if issubclass(w.category, RunWarning)} == {
            (__file__, call)}, how
    with pytest.warns(RunWarning) as said:
        premium(net, {"near": Policy(min_local_share=0.5)}, failures=(), workers=1,
                options=SolveOptions(log="/proc/version"))  # (not writable)
    logs = sorted(str(w.message) for w in said if str(w.message).startswith("(log) | "))
    assert [text.rsplit(" (", 1)[1] for text in logs] == ["in the solve of base)", "in the solve of near)"]


@pytest.mark.parametrize("names, said", [
    (["near", "near "], r"its name 'near ' reads as 'near'"),
    (["Caf\u00e9", "Cafe\u0301"], r"its name 'Cafe\\u0301' reads as 'Caf\\xe9'"),
    (["base "], r"its name 'base ' reads as 'base'"),
    (["a\x1b]8;;http://evil.example\x07click"], r"its name holds a control or invisible character"),
    (["rtl\u202eabc"], r"its name holds a control or invisible character"),
])
def test_policy_names_that_print_wrong_are_refused(names, said):
    """A policy's name went to the console, premium.csv and report.md as given: an escape sequence
    coloured the console and planted a hidden link, a right-to-left override turned a line round,
    and 'near' beside 'near ' (or 'Café' in two spellings, 'base ' beside the base) gave two rows
    no reader tells apart."""
    from resilient_sc import ValidationError, examples

    with pytest.raises(ValidationError, match=said):
        premium(examples.tiny(), {n: Policy(min_suppliers=2) for n in names}, workers=1, failures=())


def test_policy_names_that_look_different_are_kept():
    """The look-alike rule of ids (case folded, every format character dropped) refused policy
    names that read apart: 'Near' beside 'near', an emoji family joined by ZWJ beside its people,
    Persian with and without its ZWNJ, a lone 'Base'."""
    from resilient_sc.policies import with_base

    persian = "\u0646\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # 'I do not want', its ZWNJ joining
    names = ["Near", "near", "\U0001F468\u200d\U0001F469", "\U0001F468\U0001F469", persian,
             persian.replace("\u200c", ""), "Base"]
    assert list(with_base({n: Policy(min_suppliers=2) for n in names}))[1:] == names


def test_premium_replays_the_scenarios_unless_told_not_to():
    """premium(failures=('hub',)) replayed the disruption scenarios too, without a switch, and its
    worst served (0.63, under scenario:taiwan_strait) read against frontier's for the same design
    and kinds (1.0, single failures alone): scenarios=False gives frontier's (API audit)."""
    from resilient_sc import examples
    from resilient_sc.analysis import frontier

    net, hubs = examples.electronics(), Policy(survive=("hub",), service_level=0.9)
    both = premium(net, {"hubs": hubs}, failures=("hub",), workers=1).set_index("policy")
    single = premium(net, {"hubs": hubs}, failures=("hub",), workers=1, scenarios=False).set_index("policy")
    swept = frontier(net, "service_level", [0.9], Policy(survive=("hub",)), failures=("hub",), workers=1)
    assert both.loc["hubs", "worst_failure"].startswith("scenario:")
    assert both.loc["hubs", "worst_served"] < single.loc["hubs", "worst_served"]
    assert single.loc["hubs", "worst_served"] == pytest.approx(swept["worst_served"].iloc[0])
    assert not single["worst_failure"].str.startswith("scenario:").any()


def test_a_misspelt_penalty_is_refused_before_anything_is_solved(monkeypatch):
    """premium(penalty={'chipz': ...}) solved the base first and then refused the product (minutes
    on a large network): refused before the first solve now (API audit)."""
    import sys

    from resilient_sc import ValidationError, examples

    module = sys.modules["resilient_sc.analysis.premium"]  # the package's 'premium' is the function

    def no_solve(*args, **kwargs):
        raise AssertionError("solved before the penalty was checked")

    monkeypatch.setattr(module, "solve", no_solve)
    with pytest.raises(ValidationError, match=r"'chipz' is no product"):
        premium(examples.electronics(), {"near": Policy(min_local_share=0.5)}, workers=1,
                penalty={"cells": 60, "chipz": 2000, "displays": 300})
