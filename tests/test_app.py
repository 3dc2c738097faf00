"""The web app's logic without a browser (resilient_sc/app): sessions per tab, uploads and
their problems by table/row/column, policies from the controls and policy files, solves and
stress tests in processes of their own (stop, infeasible), the premium table and the plan
workbook. The pages themselves are driven in a real browser by tests/browser (-m browser)."""

from __future__ import annotations

import time

import openpyxl
import pytest

from resilient_sc import Policy, examples, solve
from resilient_sc.analysis import stress_test
from resilient_sc.app import MISSING, add_arguments
from resilient_sc.app.compare_page import premium_frame, premium_rows, worst_failures
from resilient_sc.app.data_page import edited_workbook, grid_rows, read_upload
from resilient_sc.app.export import plan_workbook
from resilient_sc.app.jobs import Job
from resilient_sc.app.policy_page import controls_of, load_policy, policy_of, policy_yaml
from resilient_sc.app.solve_page import cost_text, scenario_name
from resilient_sc.app.state import Session, problem_rows
from resilient_sc.exceptions import ValidationError
from resilient_sc.io import write_excel


@pytest.fixture(scope="module")
def base_plan():
    return solve(examples.electronics())


def test_sessions_are_separate(base_plan):
    a, b = Session.example(), Session.example()
    a.add_scenario("base", Policy(), base_plan)
    assert b.scenarios == {} and a.workdir != b.workdir
    assert a.network is not b.network


def test_base_cost_with_thousands_separators(base_plan):
    assert cost_text(base_plan.objective) == "11,914,791"


def bad_book(tmp_path):
    frames = examples.electronics().frames()
    frames["hubs"] = frames["hubs"].astype({"capacity": object})
    frames["hubs"].loc[2, "capacity"] = "lots"
    path = tmp_path / "bad.xlsx"
    write_excel(path, frames)
    return path


def test_upload_problems_name_table_row_and_column(tmp_path):
    s = Session.example()
    with pytest.raises(ValidationError) as info:
        read_upload(bad_book(tmp_path).read_bytes(), "bad.xlsx", s.workdir)
    assert problem_rows(info.value) == [{"table": "hubs", "row": "4", "id": "H_Memphis", "column": "capacity",
                                         "message": "capacity 'lots' is not a number"}]
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.xlsx"]  # nothing written next to the input


def test_upload_refuses_other_files(tmp_path):
    with pytest.raises(ValidationError, match=r"expected an \.xlsx workbook"):
        read_upload(b"a,b\n", "data.csv", tmp_path)


def test_problem_without_row():
    rows = problem_rows(ValidationError(["(hubs) | required table is missing", "plain text"]))
    assert rows[0]["table"] == "hubs" and rows[0]["row"] == "" and rows[1]["message"] == "plain text"


def test_edits_are_validated_and_downloaded(tmp_path):
    s = Session.example()
    s.frames["hubs"].loc[0, "capacity"] = 1.0
    s.apply_edits()
    assert float(s.network.hubs.loc[0, "capacity"]) == 1.0
    book = read_upload(edited_workbook(s).read_bytes(), "network.xlsx", tmp_path)
    assert float(book.hubs.loc[0, "capacity"]) == 1.0
    s.frames["hubs"] = s.frames["hubs"].astype({"capacity": object})
    s.frames["hubs"].loc[0, "capacity"] = "-"
    with pytest.raises(ValidationError):
        s.apply_edits()
    assert float(s.network.hubs.loc[0, "capacity"]) == 1.0  # unchanged by a failed edit


def test_grid_rows_are_json_friendly():
    rows = grid_rows(examples.electronics().table("countries"))
    assert rows[7]["bloc"] == "" and rows[0] == {"country": "DE", "region": "Europe", "bloc": "atlantic"}


def test_policy_from_controls_and_back():
    p = policy_of({"min_local_share": 0.5, "min_allied_share": None, "max_country_share": None,
                   "service_level": None, "excluded_countries": ["CN"], "survive": ["hub"],
                   "single_sourcing": True})
    assert p == Policy(min_local_share=0.5, excluded_countries=("CN",), survive=("hub",),
                       single_sourcing=True)
    assert policy_of(controls_of(p)) == p
    kept = Policy(co2_price=3.0)
    assert policy_of({"min_local_share": 0.2}, kept).co2_price == 3.0


def test_policy_yaml_round_trip(tmp_path):
    p = Policy(min_local_share={"Europe": 0.7}, survive=("country",))
    assert load_policy(policy_yaml(p).encode(), "p.yaml", tmp_path) == p
    assert load_policy(policy_yaml(Policy()).encode(), "p.yml", tmp_path) == Policy()
    with pytest.raises(ValidationError, match="unknown field"):
        load_policy(b"min_local_shar: 0.5\n", "p.yaml", tmp_path)


def test_scenario_names():
    assert scenario_name(Policy(excluded_countries=("CN", "VN"))) == "excluded_countries=CN,VN"


def test_job_solves_in_a_process_of_its_own():
    net = examples.electronics()
    kind, plan = Job(solve, [net, Policy(min_local_share=0.5)]).wait()
    assert kind == "ok" and cost_text(plan.objective) == "12,228,393"
    kind, reasons = Job(solve, [net, Policy(min_suppliers=99)]).wait()
    assert kind == "infeasible" and "min_suppliers" in reasons[0]
    kind, problems = Job(solve, [net, Policy(min_local_share=1.5)]).wait()
    assert kind == "invalid" and "min_local_share" in problems[0]


def test_job_stops():
    job = Job(time.sleep, [30])
    time.sleep(0.2)
    job.stop()
    assert job.wait() == ("stopped", "") and job.elapsed < 10


def test_premium_table_and_workbook(base_plan):
    s = Session.example()
    s.plan = base_plan
    assert premium_frame(s) is None
    s.add_scenario("local", Policy(min_local_share=0.5), solve(s.network, Policy(min_local_share=0.5)))
    s.add_scenario("base", Policy(), base_plan)
    s.add_scenario("impossible", Policy(min_suppliers=99), None, "min_suppliers 99 cannot be met")
    rows = premium_rows(s)
    assert [r["policy"] for r in rows] == ["base", "local", "impossible"]
    assert rows[1]["premium_pct"] == "2.63%" and rows[2]["status"] == "infeasible"
    s.stress = stress_test(s.network, base_plan)
    assert worst_failures(s.stress, 3)["worst_served"].is_monotonic_increasing
    book = openpyxl.load_workbook(plan_workbook(s), read_only=True)
    assert {"summary", "premium", "stress_failures"} <= set(book.sheetnames)
    assert plan_workbook(s).parent == s.workdir


def test_command_arguments():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["examples/electronics", "--no-browser", "--port", "9000"])
    assert (str(args.data), args.port, args.no_browser) == ("examples/electronics", 9000, True)
    assert "pip install 'resilient_sc[app]'" in MISSING


def test_map_figure(base_plan):
    pytest.importorskip("plotly")
    from resilient_sc.app.solve_page import map_figure

    fig = map_figure(Session.example(), base_plan)
    names = [t.name for t in fig.data if t.name]
    assert names == ["suppliers", "hubs", "markets"]
    hover = [t.text for t in fig.data if isinstance(t.text, str)]
    assert any("units" in h for h in hover)


def test_missing_extra_is_a_clear_error(monkeypatch):
    import sys

    from resilient_sc.app import main
    from resilient_sc.exceptions import ResilientSCError

    monkeypatch.setitem(sys.modules, "nicegui", None)
    with pytest.raises(ResilientSCError, match=r"pip install 'resilient_sc\[app\]'"):
        main(None, 1, False)
