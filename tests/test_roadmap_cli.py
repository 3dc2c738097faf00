"""The roadmap variants of the commands (resilient_sc/cli_roadmap.py) on the hand-solved network
of tests/test_roadmap.py (:func:`paris`, weights 1 and 0.5: the cost-optimal path keeps S_CN,
160 + 0.5 · 160 = 240; the glide path ``min_local_share {2027: 1}`` switches to S_FR in 2027,
160 + 0.5 · 630 = 475), written as a CSV folder, and once on the bundled roadmap example."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from resilient_sc import Policy
from resilient_sc.analysis.roadmap import (
    end_year_frontier,
    roadmap_premium,
    roadmap_stress,
    roadmap_stress_table,
)
from resilient_sc.cli import main
from resilient_sc.format import column_formatter
from resilient_sc.roadmap import solve_roadmap

from .test_roadmap import paris, write_folder

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "electronics_roadmap"
GLIDE = {"min_local_share": {"2027": 1.0}}
#: 2026 cannot be all local: S_FR, the only local supplier, has a lead time of one period
TOO_SOON = {"min_local_share": {"2026": 1.0}}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    """Exit code, the one JSON object on stdout, and stderr."""
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_folder(paris(weights=(1.0, 0.5)), folder)
    return folder


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"base": {}, "glide": GLIDE, "too_soon": TOO_SOON}), encoding="utf-8")
    return path


def test_column_formatter_formats_a_period_column_as_its_head():
    assert column_formatter("cost 2027")(1234.5) == "1,234.50"
    assert column_formatter("premium_pct 2027")(7.5) == "7.50%"
    assert column_formatter("premium_pct 2027")(-0.0) == "0.00%"
    # a premium two decimals hide but beyond the solver's gap: 45.11 on 12M read 0.00% (audit)
    assert column_formatter("premium_pct")(100 * 45.11 / 12e6) == "<0.01%"
    assert column_formatter("n_suppliers_started")(3.0) == "3"


# ---- solve --------------------------------------------------------------------------------
def test_solve_out_writes_the_roadmap_figure(capsys, data, tmp_path):
    code, out, _ = run(capsys, "solve", str(data), "--out", str(tmp_path / "plan"))
    assert code == 0 and out["objective"] == pytest.approx(240.0)
    assert is_png(tmp_path / "plan" / "roadmap.png")
    assert (tmp_path / "plan" / "roadmap.json").is_file()
    code, _, _ = run(capsys, "solve", str(data), "--out", str(tmp_path / "plan"), "--force")
    assert code == 0 and is_png(tmp_path / "plan" / "roadmap.png")


def test_the_log_has_every_solve_of_a_roadmap(capsys, data, tmp_path):
    """--log held only the roadmap's last solve: the periods solved alone for its MIP start (the
    first seconds of a large roadmap) went unlogged, and a run stopped then left no log."""
    log = tmp_path / "highs.log"
    code, _, _ = run(capsys, "solve", str(data), "--log", str(log))
    text = log.read_text(encoding="utf-8")
    marks = [text.index(f"roadmap: period {p} solved alone") for p in ("2026", "2027")]
    whole = text.index("roadmap: every period at once")
    assert code == 0 and marks == sorted(marks) and marks[-1] < whole < text.index("solved by ")
    assert text.count("Presolving model") >= 3  # each period's MIP, then the roadmap's
    if Path("/dev/full").exists():  # a log that cannot be written is said once, not once per solve
        code, out, _ = run(capsys, "solve", str(data), "--log", "/dev/full")
        assert code == 0 and [w[:38] for w in out["warnings"]] == ["(log) | could not write the solver log"]


# ---- premium ------------------------------------------------------------------------------
def test_premium_json_matches_the_api(capsys, data, policies):
    code, out, _ = run(capsys, "premium", str(data), "--policies", str(policies), "--workers", "1")
    assert code == 0 and out["status"] == "ok" and out["periods"] == [{"period": "2026", "weight": 1.0},
                                                                          {"period": "2027", "weight": 0.5}]
    rows = {r["policy"]: r for r in out["table"]}
    assert list(rows) == ["base", "glide", "too_soon"]
    base, glide = rows["base"], rows["glide"]
    assert (base["cost"], glide["cost"]) == (pytest.approx(240.0), pytest.approx(475.0))
    assert glide["premium_pct"] == pytest.approx((475 - 240) / 240 * 100)
    assert glide["premium_pct 2026"] == pytest.approx(0.0)
    assert glide["premium_pct 2027"] == pytest.approx((630 - 160) / 160 * 100)
    assert (glide["n_suppliers_started"], glide["n_suppliers_stopped"]) == (1, 1)
    assert glide["local_share"] == pytest.approx(1.0) and glide["top_country"] == "FR"
    assert rows["too_soon"]["status"] == "infeasible" and rows["too_soon"]["cost"] is None
    assert "2026" in rows["too_soon"]["reason"]
    api = roadmap_premium(paris(weights=(1.0, 0.5)), {"glide": Policy(**GLIDE)}, workers=1)
    assert glide["premium"] == pytest.approx(float(api.loc[1, "premium"]))


def test_premium_text_has_the_table_and_sentences(capsys, data, policies):
    assert main(["premium", str(data), "--policies", str(policies), "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "premium_pct 2027" in text and "293.75%" in text and "97.92%" in text
    assert "Of the policy paths" not in text  # one policy path has a roadmap
    assert "glide costs 97.92% more than the cost-optimal path (+235.00 money)" in text
    assert "In 2027 it buys a local share of 100.0% (cost-optimal: 0.0%)" in text
    assert "too_soon has no roadmap on this data (infeasible)" in text
    # the percentage's base, with its weighting (units audit: '% of demand over all markets' alone)
    assert ("n_suppliers, n_hubs and shares: in 2027 (% of demand, value-weighted over all markets)."
            in " ".join(text.split()))


def test_premium_out_writes_the_report(capsys, data, policies, tmp_path):
    out_dir = tmp_path / "report"
    code, out, _ = run(capsys, "premium", str(data), "--policies", str(policies), "--workers", "1",
                       "--out", str(out_dir))
    assert code == 0
    expected = {"premium.csv", "premium_paths.csv", "premium.png", "roadmap_base.png", "roadmap_glide.png",
                "report.md", "timings.csv"}
    assert set(out["files"]) == expected == {p.name for p in out_dir.iterdir()}
    assert all(is_png(out_dir / f) for f in expected if f.endswith(".png"))
    table = pd.read_csv(out_dir / "premium.csv")
    assert table["cost"].tolist()[:2] == pytest.approx([240.0, 475.0])
    paths = pd.read_csv(out_dir / "premium_paths.csv", dtype={"period": str})
    assert paths[["policy", "period"]].values.tolist() == [["base", "2026"], ["base", "2027"],
                                                           ["glide", "2026"], ["glide", "2027"]]
    report = (out_dir / "report.md").read_text(encoding="utf-8")
    assert all(f"`{f}`" in report for f in expected)
    assert "(roadmap_glide.png)" in report and "Σ weight × period cost" in report
    assert "No roadmap (infeasible)" in report


def test_premium_with_an_infeasible_base_path_exits_1(capsys, data, tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text("base: {min_local_share: {2026: 1.0}}\nglide: {min_local_share: {2027: 1.0}}\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "premium", str(data), "--policies", str(path), "--workers", "1")
    assert code == 1 and out["status"] == "infeasible"
    assert any("base path" in r for r in out["reasons"]) and "2026" in out["reason"]
    assert "\nerror:" in err and "min_local_share has no period key after '2026'" in err  # 2027 asks nothing


def test_premium_with_a_bad_policy_exits_2(capsys, data, tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text("glide: {min_local_share: {2031: 1.0}}\n", encoding="utf-8")
    code, out, _ = run(capsys, "premium", str(data), "--policies", str(path), "--workers", "1")
    assert code == 2 and out["status"] == "invalid_input" and "2031" in out["reason"]


# ---- stress -------------------------------------------------------------------------------
def test_stress_json_per_period_matches_the_api(capsys, data, tmp_path):
    (tmp_path / "glide.yaml").write_text("min_local_share: {2027: 1.0}\n", encoding="utf-8")
    code, out, _ = run(capsys, "stress", str(data), "--policy", str(tmp_path / "glide.yaml"))
    assert code == 0 and out["status"] == "ok"
    assert out["roadmap"]["objective"] == pytest.approx(475.0)
    assert [p["period"] for p in out["periods"]] == ["2026", "2027"]  # one object per period, as under solve
    assert (out["periods"][1]["penalties_given"], out["periods"][1]["units"]) == (False, {"default": "units"})
    api = roadmap_stress_table(roadmap_stress(solve_roadmap(paris(weights=(1.0, 0.5)), Policy(**GLIDE))))
    assert [r["period"] for r in out["summary"]] == ["2026", "2027"]
    for row, (_, want) in zip(out["summary"], api.iterrows(), strict=True):
        assert (row["failures"], row["worst_failure"]) == (want["failures"], want["worst_failure"])
        assert row["worst_served"] == pytest.approx(want["worst_served"])
    failures_2027 = {f["failure"] for f in out["periods"][1]["failures"]}
    assert "supplier:S_FR" in failures_2027 and "supplier:S_CN" not in failures_2027


def test_the_stress_legend_says_what_a_unit_short_is_priced_at(capsys, data):
    """The terminal gave the default prices only when they differ between periods, and never
    that they are no measured loss (the report's method said so)."""
    assert main(["stress", str(data)]) == 0
    legend = capsys.readouterr().out.strip().splitlines()[-1]
    assert " A unit short is priced at " in legend and "not an estimate of what a unit short costs" in legend
    assert main(["stress", str(data), "--penalty", "50"]) == 0
    legend = capsys.readouterr().out.strip().splitlines()[-1]
    assert legend.endswith(" A unit short is priced at 50.00 per unit of default.")  # the product


def test_stress_of_a_roadmap_not_proven_optimal_warns(capsys, data, monkeypatch):
    import dataclasses

    import resilient_sc.roadmap as roadmap_module
    from resilient_sc.solvers.base import Status

    real = roadmap_module.solve_roadmap
    monkeypatch.setattr(roadmap_module, "solve_roadmap", lambda *args: dataclasses.replace(
        real(*args), status=Status.TIME_LIMIT, gap=0.01))
    code, out, err = run(capsys, "stress", str(data), "--allow-nonoptimal")
    assert code == 0
    assert out["reason"] == "the roadmap stress-tested is not proven optimal: time limit, gap 1.0000%"
    assert f"warning: {out['reason']}" in err


def test_a_period_without_demand_is_not_stress_tested_and_said_so(capsys, tmp_path):
    folder = tmp_path / "ramp"  # nothing to deliver in 2026: a ramp-up year
    none = pd.DataFrame({"market": ["Paris"], "demand": [0.0], "period": ["2026"]})
    write_folder(paris(demand=none), folder)
    code, out, err = run(capsys, "stress", str(folder))
    assert code == 0 and [p["period"] for p in out["periods"]] == ["2027"]
    assert "warning: (demand) | period 2026 has no demand above 0: no failure can leave a market short " \
           "then, so it is not stress-tested" in err


def test_stress_text_and_out(capsys, data, tmp_path):
    out_dir = tmp_path / "stress"
    assert main(["stress", str(data), "--out", str(out_dir)]) == 0
    text = capsys.readouterr().out
    assert "each period's design is tested on its own, one failure at a time in that period" in text.lower()
    assert "In 2026 the design has 1 supplier and 1 hub" in text and "report written to" in text
    expected = {"stress_summary.csv", "stress_failures_2026.csv", "stress_failures_2027.csv",
                "stress_products.csv", "stress_shortfalls.csv", "roadmap.png", "stress_served_2026.png",
                "stress_served_2027.png", "report.md", "roadmap.csv", "roadmap_timeline.csv"}
    assert {p.name for p in out_dir.iterdir()} == expected
    # roadmap.png's facts as text beside it (accessibility audit: they were in the image alone)
    assert list(pd.read_csv(out_dir / "roadmap.csv")["period"].astype(str)) == ["2026", "2027"]
    report = (out_dir / "report.md").read_text(encoding="utf-8")
    assert "- `roadmap_timeline.csv`: per supplier or hub, a column per period" in report
    assert all(is_png(out_dir / f) for f in expected if f.endswith(".png"))
    summary = pd.read_csv(out_dir / "stress_summary.csv", dtype={"period": str})
    assert summary["period"].tolist() == ["2026", "2027"]
    assert pd.read_csv(out_dir / "stress_products.csv").columns[0] == "period"
    report = (out_dir / "report.md").read_text(encoding="utf-8")
    assert "| guaranteed |" in report and "least served" not in report
    assert main(["stress", str(data), "--penalty", "40", "--out", str(tmp_path / "priced")]) == 0
    # the prices choose: nothing is "guaranteed"
    priced = (tmp_path / "priced" / "report.md").read_text(encoding="utf-8")
    assert "| least served |" in priced and "**least served**" in priced and "| guaranteed |" not in priced


def test_stress_with_an_infeasible_path_exits_1(capsys, data, tmp_path):
    (tmp_path / "soon.yaml").write_text("min_local_share: {2026: 1.0}\n", encoding="utf-8")
    code, out, _ = run(capsys, "stress", str(data), "--policy", str(tmp_path / "soon.yaml"))
    assert code == 1 and out["status"] == "infeasible" and "2026" in out["reason"]


# ---- frontier -----------------------------------------------------------------------------
def test_frontier_sweeps_the_last_period_target(capsys, data):
    args = ["frontier", str(data), "--field", "min_local_share", "--values", "0,0.5,1", "--workers", "1"]
    code, out, _ = run(capsys, *args)
    assert code == 0 and (out["field"], out["period"]) == ("min_local_share", "2027")
    api = end_year_frontier(paris(weights=(1.0, 0.5)), "min_local_share", [0, 0.5, 1], workers=1)
    assert [r["cost"] for r in out["table"]] == pytest.approx(api["cost"].tolist())
    assert (out["table"][0]["cost"], out["table"][-1]["cost"]) == (pytest.approx(240.0), pytest.approx(475.0))
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "the target in 2027" in text and "min_local_share 2027" in text
    assert ("the last period; earlier periods have no policy, and their designs may change with the last "
            "period's target (the path is solved whole).") in text


def test_frontier_names_the_policy_kept_before_the_last_period(capsys, data, tmp_path):
    (tmp_path / "cap.yaml").write_text("max_country_share: {'2026': 0.9}\n", encoding="utf-8")
    out_dir = tmp_path / "frontier"
    code, _, _ = run(capsys, "frontier", str(data), "--policy", str(tmp_path / "cap.yaml"), "--field",
                     "min_local_share", "--values", "0,1", "--workers", "1", "--out", str(out_dir))
    said = ("the policy holds as given in every period, the swept target aside (max_country_share "
            "{2026: 0.9}); the earlier periods' designs may change")
    assert code == 0 and said in (out_dir / "report.md").read_text(encoding="utf-8")


def test_frontier_out_writes_the_report(capsys, data, tmp_path):
    out_dir = tmp_path / "frontier"
    code, out, _ = run(capsys, "frontier", str(data), "--field", "min_local_share", "--values", "0,1",
                       "--workers", "1", "--out", str(out_dir))
    assert code == 0 and set(out["files"]) == {"frontier.csv", "frontier.png", "report.md", "timings.csv"}
    assert is_png(out_dir / "frontier.png")
    assert "the target in 2027" in (out_dir / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", ["co2_cap", "survive"])
def test_frontier_of_a_field_without_mapping_exits_2(capsys, data, field):
    code, out, err = run(capsys, "frontier", str(data), "--field", field, "--values", "1,2")
    assert code == 2 and out["status"] == "invalid_input"
    assert f"(--field) | {field} takes no mapping" in out["reason"] and field in err


def test_frontier_of_an_unknown_field_exits_2(capsys, data):
    code, out, _ = run(capsys, "frontier", str(data), "--field", "local_share", "--values", "1")
    assert code == 2 and "unknown policy field 'local_share'" in out["reason"]


# ---- the bundled roadmap example ----------------------------------------------------------
def test_premium_on_the_bundled_roadmap(capsys):
    code, out, _ = run(capsys, "premium", str(EXAMPLE), "--policies", str(EXAMPLE / "policies.yaml"),
                       "--workers", "1")
    assert code == 0
    rows = {r["policy"]: r for r in out["table"]}
    assert list(rows) == ["base", "glide_path", "fast_track", "last_minute"]
    assert all(r["status"] == "optimal" for r in rows.values())
    base = rows["base"]["cost"]
    for r in rows.values():
        assert r["premium_pct"] == pytest.approx(100 * (r["cost"] - base) / base)
        assert r["premium_pct"] >= -1e-6
    assert rows["glide_path"]["local_share"] >= 0.5 - 1e-6  # the 2030 target


def test_the_terminal_says_when_periods_price_a_unit_short_apart(capsys):
    """The example's default penalties follow each period's tariffs (chips 1,744.80 in 2026,
    2,344.80 in 2030): only report.md said to compare served fractions, not shortfall costs."""
    from resilient_sc import examples

    data = examples.electronics_roadmap_path()
    assert main(["stress", str(data), "--failures", "country"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ("A unit short is priced at each period's penalties (2026: 797.70 per unit of cells (pieces), "
            "1,744.80 per unit of chips (pieces)") in text  # each in its product's unit (units audit)
    assert ("which differ between periods: compare served fractions across periods, not shortfall "
            "costs.") in text
    assert main(["stress", str(data), "--failures", "country", "--penalty", "40"]) == 0
    assert "which differ between periods" not in capsys.readouterr().out  # one price for all


def test_a_roadmap_stress_report_never_quotes_one_periods_prices_for_all(tmp_path):
    """Its method paragraph gave 2026's default prices (chips 1,744.80) as those of every period's
    shortfall costs, beside per-period lines pricing chips at 2,344.80 in 2029-2030."""
    from resilient_sc import examples

    data = examples.electronics_roadmap_path()
    assert main(["stress", str(data), "--failures", "country", "--out", str(tmp_path / "s")]) == 0
    report = " ".join((tmp_path / "s" / "report.md").read_text(encoding="utf-8").split())
    assert "A unit short is priced at the stress test's default (each period's, listed under it:" in report
    assert "default (797.70 per unit of cells" not in report


def test_a_roadmap_stress_report_sends_each_period_to_its_own_file(tmp_path):
    """The failures a period's table leaves out are in that period's file: the report named
    stress_failures.csv, which a roadmap's stress report does not write, under every period
    (roadmap analyses audit)."""
    from resilient_sc import examples

    data = examples.electronics_roadmap_path()
    assert main(["stress", str(data), "--out", str(tmp_path / "s")]) == 0
    report = " ".join((tmp_path / "s" / "report.md").read_text(encoding="utf-8").split())
    assert "stress_failures.csv" not in report
    for period in ("2026", "2027", "2028", "2029", "2030"):
        assert f"are in stress_failures_{period}.csv." in report
        assert (tmp_path / "s" / f"stress_failures_{period}.csv").is_file()
