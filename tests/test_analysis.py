"""Analyses (docs/formulation.md §5b, §6) on hand-checkable networks: stress tests, premiums, frontiers,
disruption-aware design, figures, reports and the ``stress``/``premium``/``frontier`` commands.

Costs of the tiny network (``examples.tiny``; see tests/test_policies.py): base S_CN alone
1260, S_FR alone 1720, both 1760 (fixed 800 + 80·12).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, examples, solve
from resilient_sc.analysis import (
    disruption_design,
    frontier,
    maps,
    premium,
    premium_outcomes,
    premium_table,
    stress_test,
)
from resilient_sc.analysis import figures as fg
from resilient_sc.analysis.report import write_frontier_report, write_premium_report, write_stress_report
from resilient_sc.cli import main
from resilient_sc.io import write_network
from resilient_sc.schema import TABLES

from .random_networks import random_network

POLICIES = {"near": Policy(min_local_share=0.5), "survive": Policy(survive=("supplier",)),
            "impossible": Policy(excluded_countries=("FR", "CN"))}
#: columns that differ between runs of the same solves
TIMING = ["solve_time"]


# ---- networks -----------------------------------------------------------------------------
def backup_network() -> Network:
    """Market M (country X) needs 30 of product a and 40 of b through hub H; every lane costs 1.
    SA alone makes a (unit cost 2). SB1 and SB2 each can make 100 of b: SB1 at 5 per unit, SB2
    at 8 under an existing contract (status open). No fixed costs.

    Base: SA, SB1 and SB2 contracted, b from SB1: 30·(2+1+1) + 40·(5+1+1) = 120 + 280 = 400.
    Losing SA: the 30 units of a cannot be made (0% of a, 40/70 of all demand served), and
    the flow cost falls by 120. Losing SB1: SB2 makes the 40 units of b at 8 instead of 5:
    everything served at an extra 40·(8 − 5) = 120. Losing SB2: nothing changes.
    """
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "country": "X",
                                "status": ["candidate", "candidate", "open"]}),
        supplier_products=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "product": ["a", "b", "b"],
                                        "capacity": 100.0, "unit_cost": [2.0, 5.0, 8.0]}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["X"]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["X"]}),
        demand=pd.DataFrame({"market": "M", "product": ["a", "b"], "demand": [30.0, 40.0]}),
        lanes=pd.DataFrame({"origin": ["SA", "SB1", "SB2", "H"], "destination": ["H", "H", "H", "M"],
                            "unit_cost": 1.0}),
    )


def located_tiny() -> Network:
    """The tiny network with coordinates for all but S_CN (left off the map)."""
    f = examples.tiny().frames()
    f["suppliers"][["lat", "lon"]] = [[45.2, 5.7], [np.nan, np.nan]]
    f["hubs"][["lat", "lon"]] = [[49.0, 2.5]]
    f["markets"][["lat", "lon"]] = [[48.9, 2.35]]
    return Network.from_frames(**f)


@pytest.fixture(scope="module")
def tiny_outcomes():
    net = examples.tiny()
    outcomes = premium_outcomes(net, {"base": Policy(), **POLICIES}, workers=1)
    return net, outcomes, premium_table(outcomes)


@pytest.fixture(scope="module")
def sweep() -> tuple[Network, pd.DataFrame]:
    """min_local_share 0 … 0.75 on a seeded random network (0.75 is infeasible)."""
    net = random_network(0)
    return net, frontier(net, "min_local_share", [0.0, 0.25, 0.5, 0.75], failures=("country",))


# ---- stress tests -------------------------------------------------------------------------
def test_stress_losing_the_only_supplier_of_a_product():
    net = backup_network()
    plan = solve(net)
    assert plan.objective == pytest.approx(400.0)
    result = stress_test(net, plan, failures=("supplier",), penalty=1000.0)
    row = result.failures.set_index("failure").loc["supplier:SA"]
    assert row["worst_served"] == 0.0  # none of product a can be made
    assert (row["worst_market"], row["worst_product"]) == ("M", "a")
    assert row["shortfall_cost"] == pytest.approx(30_000.0)
    assert row["extra_cost"] == pytest.approx(-120.0)
    assert row["impact"] == pytest.approx(30_000.0 - 120.0)
    by_product = result.by_product.set_index(["failure", "product"])
    assert by_product.loc[("supplier:SA", "a"), "shortfall"] == pytest.approx(30.0)
    assert by_product.loc[("supplier:SA", "a"), "served"] == pytest.approx(0.0)
    assert by_product.loc[("supplier:SA", "b"), "served"] == pytest.approx(1.0)
    summary = result.summary()
    assert summary["worst_failure"] == "supplier:SA" and summary["worst_served"] == 0.0
    assert summary["hurt"] == 1
    assert result.served_matrix("a").loc["supplier:SA", "M"] == pytest.approx(0.0)
    assert result.served_matrix("b").loc["supplier:SA", "M"] == pytest.approx(1.0)
    assert result.served_matrix().loc["supplier:SA", "M"] == pytest.approx(0.0)  # lowest over products
    entry = next(e for e in result.to_dict()["failures"] if e["failure"] == "supplier:SA")
    assert entry["served_by_product"] == {"a": 0.0, "b": 1.0}
    assert entry["shortfalls"] == [{"market": "M", "product": "a", "demand": 30.0, "shortfall": 30.0}]


def test_stress_backup_supplier_serves_everything_at_extra_cost():
    net = backup_network()
    result = stress_test(net, solve(net), failures=("supplier",))
    f = result.failures.set_index("failure")
    assert f.loc["supplier:SB1", "worst_served"] == 1.0
    assert f.loc["supplier:SB1", "extra_cost"] == pytest.approx(40 * (8 - 5))
    assert f.loc["supplier:SB1", "worst_market"] == ""  # nothing short, no floor binds
    assert f.loc["supplier:SB2", "worst_served"] == 1.0
    assert f.loc["supplier:SB2", "extra_cost"] == pytest.approx(0.0, abs=1e-9)
    assert f["probability"].sum() == pytest.approx(1.0)


# ---- premium ------------------------------------------------------------------------------
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


# ---- frontier -----------------------------------------------------------------------------
def test_frontier_cost_never_falls_as_the_share_tightens(sweep):
    _, df = sweep
    assert df["status"].tolist()[-1] == "infeasible"
    costs = df.loc[df["status"] == "optimal", "cost"].to_numpy()
    assert len(costs) == 3 and (np.diff(costs) >= -1e-6).all()
    assert df.loc[0, "premium"] == pytest.approx(0.0, abs=1e-9)
    assert df["worst_served"].iloc[:3].between(0, 1).all()


def test_frontier_warm_and_cold_give_the_same_costs(sweep):
    net, warm = sweep
    cold = frontier(net, "min_local_share", warm["min_local_share"].tolist(), warm_start=False,
                    workers=1, failures=())
    pd.testing.assert_series_equal(warm["cost"], cold["cost"], rtol=1e-9)
    assert cold["status"].tolist() == warm["status"].tolist()


# ---- disruption-aware design --------------------------------------------------------------
def disrupted_tiny() -> Network:
    """The tiny network where China fails with probability 0.1."""
    f = examples.tiny().frames()
    f["disruptions"] = pd.DataFrame({"scenario": ["cn_down"], "kind": ["country"], "element": ["CN"],
                                     "probability": [0.1]})
    return Network.from_frames(**f)


def test_disruption_design_survives_its_scenario():
    """Shortfall costs 1000 per unit. S_CN alone: 1260 + 0.1·80·1000 = 9260 expected. S_FR
    alone: 1720 + 0.1·80·14 (its flows in the scenario) = 1832. Both: 1760 + 0.1·1120 = 1872.
    So S_FR alone, and the value of the stochastic solution is 9260 − 1832 = 7428."""
    net = disrupted_tiny()
    design = disruption_design(net, Policy(shortfall_penalty=1000.0))
    assert design.plan.supplier_ids == ["S_FR"]
    assert design.expected_cost == pytest.approx(1832.0)
    assert design.base_expected_cost == pytest.approx(9260.0)
    assert design.vss == pytest.approx(7428.0) and design.vss >= 0
    replay = stress_test(net, design.plan, failures=(), scenarios=True).failures.set_index("failure")
    assert replay.loc["scenario:cn_down", "worst_served"] == pytest.approx(1.0)


def test_disruption_weight_zero_is_the_cost_optimal_design():
    net = disrupted_tiny()
    design = disruption_design(net, Policy(shortfall_penalty=1000.0, disruption_weight=0.0))
    assert design.plan.objective == pytest.approx(1260.0)
    assert design.plan.supplier_ids == design.base_plan.supplier_ids == ["S_CN"]
    assert design.vss == pytest.approx(0.0, abs=1e-6)


# ---- figures ------------------------------------------------------------------------------
def test_figures_have_labelled_axes(tiny_outcomes, sweep, tmp_path):
    _, outcomes, table = tiny_outcomes
    fig = fg.frontier_figure(sweep[1], "min_local_share")
    left, right = fig.axes[:2]
    assert left.get_xlabel() == "min_local_share (fraction of demand)"
    assert left.get_ylabel() == fg.PREMIUM_LABEL and right.get_ylabel() == fg.SERVED_LABEL
    assert fg.save_figure(fig, tmp_path / "frontier.png").read_bytes()[:4] == b"\x89PNG"

    fig = fg.premium_figure(table)
    ax = fig.axes[0]
    assert ax.get_ylabel() == fg.PREMIUM_LABEL
    assert [t.get_text() for t in ax.get_xticklabels()] == table["policy"].tolist()
    assert any("infeasible" in t.get_text() for t in ax.texts)

    fig = fg.served_heatmap(outcomes[0].stress, service_level=0.8)
    assert fig.axes[0].get_ylabel() == "failure" and fig.axes[0].get_title() == "default (% of its units)"
    assert fig._supxlabel.get_text().startswith("market. 4 of 4 failures leave demand short")
    assert "service level" in " ".join(t.get_text() for t in fig.axes[-1].get_yticklabels())
    svg = fg.save_figure(fig, tmp_path / "served.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "Paris" in svg
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        fg.save_figure(fig, tmp_path / "served.pdf")


def test_network_map_skips_elements_without_coordinates():
    net = located_tiny()
    plan = solve(net)  # S_CN (no coordinates) -> H1 -> Paris
    fig = maps.network_map(net, plan)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Paris" in texts and "H1" in texts and "S_CN" not in texts
    assert any("1 flow (80 units of default) not drawn: no coordinates" in t for t in texts)
    assert fig.axes[0].get_legend().get_title().get_text().endswith("units of default")
    with pytest.raises(ValueError, match="lat/lon"):
        maps.network_map(examples.tiny(), plan)


def test_missing_matplotlib_names_the_extra(monkeypatch, tmp_path, tiny_outcomes):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install resilient_sc\[plots\]"):
        fg.premium_figure(tiny_outcomes[2])
    with pytest.warns(RuntimeWarning, match="figures skipped"):
        written = write_frontier_report(tmp_path, pd.DataFrame(
            {"min_local_share": [0.0], "status": ["optimal"], "cost": [1.0], "premium_pct": [0.0]}),
            "min_local_share")
    assert [p.name for p in written] == ["frontier.csv", "report.md"]


def test_importing_the_library_does_not_import_matplotlib():
    code = "import sys, resilient_sc, resilient_sc.cli, resilient_sc.analysis.report; " \
           "sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---- reports ------------------------------------------------------------------------------
def test_premium_report(tiny_outcomes, tmp_path):
    net, outcomes, table = tiny_outcomes
    written = write_premium_report(tmp_path, net, outcomes, table)
    names = {p.name for p in written}
    assert {"premium.csv", "stress_failures.csv", "stress_shortfalls.csv", "premium.png",
            "report.md"} <= names
    assert not {Path(n).stem for n in names} & set(TABLES)  # never an input table's name
    assert pd.read_csv(tmp_path / "premium.csv")["policy"].tolist() == ["base", *POLICIES]
    assert set(pd.read_csv(tmp_path / "stress_failures.csv")["policy"]) == {"base", "near", "survive"}
    text = (tmp_path / "report.md").read_text()
    assert "Near (min_local_share 0.5) costs 36.5% more than the cost-optimal base" in text
    assert "Impossible (excluded_countries FR, CN) is infeasible" in text
    assert "![" in text and "(premium.png)" in text
    assert all((tmp_path / n).stat().st_size > 0 for n in names)


def test_stress_and_frontier_reports(sweep, tmp_path):
    net = located_tiny()
    plan = solve(net)
    written = write_stress_report(tmp_path / "stress", net, plan, stress_test(net, plan))
    assert [p.name for p in written] == ["stress_failures.csv", "stress_products.csv",
                                         "stress_shortfalls.csv", "stress_served.png", "network_map.png",
                                         "report.md"]
    report = (tmp_path / "stress" / "report.md").read_text()
    assert "(network_map.png)" in report
    assert "# Stress test of the cost-optimal design (no resilience policy)" in report
    assert "Given one of the 4 single failures happening, each equally likely" in report
    written = write_frontier_report(tmp_path / "frontier", sweep[1], "min_local_share")
    text = written[-1].read_text()
    assert "(frontier.png)" in text and "Infeasible at min_local_share = 0.75" in text
    assert "As min_local_share goes from 0 to 0.5" in text


# ---- command line -------------------------------------------------------------------------
@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    write_network(examples.tiny().frames(), folder)
    return folder


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_cli_stress(capsys, tiny_dir, tmp_path):
    code, data = run_json(capsys, "stress", str(tiny_dir), "--failures", "supplier,hub",
                          "--penalty", "100", "--out", str(tmp_path / "out"))
    assert code == 0 and data["status"] == "ok"
    assert data["plan"]["objective"] == pytest.approx(1260.0) and data["penalties"] == {"default": 100.0}
    assert {f["failure"] for f in data["failures"]} == {"supplier:S_CN", "hub:H1"}
    assert data["summary"]["worst_served"] == 0.0
    lost = next(f for f in data["failures"] if f["failure"] == "supplier:S_CN")
    assert lost["worst_served"] == 0.0 and lost["served_by_product"] == {"default": 0.0}
    assert lost["shortfall_cost"] == pytest.approx(80 * 100.0) and lost["extra_cost"] < 0
    assert lost["shortfalls"] == [
        {"market": "Paris", "product": "default", "demand": 80.0, "shortfall": 80.0}]
    assert "report.md" in data["files"] and (tmp_path / "out" / "report.md").is_file()
    assert main(["stress", str(tiny_dir), "--failures", "country,volcano"]) == 2
    assert "--failures: 'country,volcano'" in capsys.readouterr().err
    assert main(["stress", str(tiny_dir), "--failures", "supplier"]) == 0
    out = capsys.readouterr().out
    assert "The worst is supplier:S_CN: some market gets none of its demand of some product" in out
    assert "# Stress test of the cost-optimal design (no resilience policy)" in out


def test_cli_premium(capsys, tiny_dir, tmp_path):
    policies = tmp_path / "policies.yaml"
    policies.write_text("base: {}\nnear: {min_local_share: 0.5}\n"
                        "impossible: {excluded_countries: [FR, CN]}\n")
    code, data = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies),
                          "--workers", "1", "--out", str(tmp_path / "out"))
    assert code == 0 and data["status"] == "ok"
    rows = {r["policy"]: r for r in data["table"]}
    assert rows["near"]["premium_pct"] == pytest.approx(100 * 460 / 1260)
    assert rows["impossible"]["status"] == "infeasible" and rows["impossible"]["cost"] is None
    assert "premium.png" in data["files"]
    assert "Near (min_local_share 0.5) costs 36.5% more" in (tmp_path / "out" / "report.md").read_text()

    policies.write_text("base: {excluded_countries: [FR, CN]}\n")
    assert main(["premium", str(tiny_dir), "--policies", str(policies)]) == 1
    assert "no plan meets the policy" in capsys.readouterr().err
    policies.write_text("near: {min_local_share: 1.5}\n")
    code, data = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies))
    assert code == 2 and "min_local_share == 1.5" in data["reason"] and "'near'" in data["reason"]


def test_cli_frontier(capsys, tiny_dir, tmp_path):
    code, data = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share",
                          "--values", "0,0.5,1", "--no-warm-start", "--workers", "1",
                          "--out", str(tmp_path / "out"))
    assert code == 0 and data["field"] == "min_local_share"
    assert [r["cost"] for r in data["table"]] == pytest.approx([1260.0, 1720.0, 1720.0])
    assert (tmp_path / "out" / "frontier.png").is_file()
    code, data = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_shar", "--values", "0")
    assert code == 2 and "unknown policy field" in data["reason"]
    code, data = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share", "--values", "0,2")
    assert code == 2 and "min_local_share == 2" in data["reason"]
