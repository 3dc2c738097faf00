"""The input template (``init``), the plan workbook and the docs build."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from resilient_sc import Network, Policy, examples, frontier, premium, read_network, solve, stress_test
from resilient_sc.cli import main
from resilient_sc.schema import FAILURE_KINDS, KINDS, STATUSES, TABLES
from resilient_sc.template import (
    EXAMPLE_COST,
    KIND_FORMAT,
    KIND_TEXT,
    column_reference,
    number_format,
    referenced_table,
    write_template,
)
from resilient_sc.verify import verify_plan
from resilient_sc.workbook import HUB_CAPACITY, HUB_THROUGHPUT, write_workbook

ROOT = Path(__file__).resolve().parents[1]


# ---- the template ---------------------------------------------------------------------------
def test_csv_template_has_every_table_and_column(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "net")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(f"{t}.csv" for t in TABLES), "README.md"])
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name, table in TABLES.items():
        df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        assert tuple(df.columns) == table.names
        assert len(df) >= 1
        assert f"`{name}`" in readme
        for col in table.columns:
            assert f"| `{col.name}` |" in readme and col.description in readme


def test_csv_template_validates_and_solves(tmp_path: Path) -> None:
    net = read_network(write_template(tmp_path / "net"))
    assert not net.warnings
    assert all(len(getattr(net, name)) for name in TABLES)  # optional tables too
    plan = solve(net)
    assert plan.objective == pytest.approx(EXAMPLE_COST)
    assert plan.breakdown["tariffs"] == pytest.approx(4000)  # 4000 units * 5% * 20, made in CN
    assert not verify_plan(plan, plan.policy)


def test_xlsx_template_validates_and_solves(tmp_path: Path) -> None:
    path = write_template(tmp_path / "net.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["README", *TABLES]
    assert len(sheets["README"]) == sum(len(t.columns) for t in TABLES.values())
    net = read_network(path)  # the README sheet is ignored
    assert not net.warnings
    assert solve(net).objective == pytest.approx(EXAMPLE_COST)


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "net")
    with pytest.raises(FileExistsError):
        write_template(folder)
    (folder / "suppliers.csv").write_text("supplier,country\n", encoding="utf-8")
    write_template(folder, force=True)
    assert read_network(folder)
    book = write_template(tmp_path / "net.xlsx")
    with pytest.raises(FileExistsError):
        write_template(book, xlsx=True)
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_template(tmp_path / "other", xlsx=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert read_network(write_template(empty))  # an empty folder is fine


def test_column_reference_covers_the_schema() -> None:
    assert set(KIND_TEXT) == set(KINDS)
    ref = column_reference()
    assert list(zip(ref["table"], ref["column"], strict=True)) == [
        (t.name, c.name) for t in TABLES.values() for c in t.columns]
    assert set(ref.loc[ref["required"] == "yes", "default"]) == {""}


@pytest.mark.parametrize("xlsx", [False, True])
def test_init_validate_solve_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], xlsx: bool) -> None:
    target = tmp_path / ("net.xlsx" if xlsx else "net")
    assert main(["init", str(target), *(["--xlsx"] if xlsx else [])]) == 0
    assert "resilient-sc validate" in capsys.readouterr().out
    assert main(["validate", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "valid"
    assert main(["init", str(target)]) == 2  # exists
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(target), "--force"]) == 0
    capsys.readouterr()
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(target), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["objective"] == pytest.approx(EXAMPLE_COST)
    assert out.is_file()


def test_init_cli_xlsx_needs_xlsx_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "net"), "--xlsx", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["status"] == "invalid_input"


def test_init_as_subprocess(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "resilient_sc.cli", "init", "net"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "net" / "README.md").is_file()


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def test_xlsx_template_number_formats_follow_the_schema(tmp_path: Path) -> None:
    assert set(KIND_FORMAT) == set(KINDS)
    book = openpyxl.load_workbook(write_template(tmp_path / "net.xlsx"))
    money, quantities, fractions = [], [], []
    for name, table in TABLES.items():
        ws = book[name]
        for col in table.columns:
            i = _columns(ws)[col.name]
            formats = {ws.column_dimensions[get_column_letter(i)].number_format}  # rows typed later
            formats |= {ws.cell(r, i).number_format for r in range(2, ws.max_row + 1)}  # example rows
            assert formats == {number_format(col)}, (name, col.name, formats)
            (fmt,) = formats
            if col.unit.startswith("money"):
                money.append(col.name)
                assert fmt == "#,##0.00", (name, col.name)  # 8.75 stays 8.75, not 9
            elif col.unit == "units":
                quantities.append(col.name)  # real numbers by contract: decimals kept
                assert fmt.startswith("#,##0.00"), (name, col.name)
            elif col.unit == "fraction":
                fractions.append(col.name)
                assert fmt.endswith("%"), (name, col.name)
            elif col.kind in ("id", "text", "status", "kind"):
                assert fmt == "@", (name, col.name)  # ids stay text
    assert {"fixed_cost", "unit_cost", "handling_cost", "unit_value"} <= set(money)
    assert {"capacity", "demand"} <= set(quantities)
    assert {"rate", "probability"} <= set(fractions)


def test_xlsx_template_drop_down_lists(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "net.xlsx"))
    seen = set()
    for name, table in TABLES.items():
        ws = book[name]
        checks = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
        for col in table.columns:
            letter = get_column_letter(_columns(ws)[col.name])
            dv = checks.get(f"{letter}2")
            values = {"status": STATUSES, "kind": FAILURE_KINDS}.get(col.kind)  # the schema's lists
            if values is not None:
                assert dv is not None and dv.type == "list", (name, col.name)
                assert dv.formula1.strip('"').split(",") == list(values)
                assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.allow_blank
                assert str(dv.sqref) == f"{letter}2:{letter}1048576"
                seen.add((name, col.name))
            elif referenced_table(table, col) is not None:
                other = referenced_table(table, col)
                assert dv is not None and dv.type == "list" and dv.errorStyle == "warning"
                target = book.defined_names[dv.formula1].attr_text
                assert f"{other.name}!$A$2" in target and f"{other.name}!$A:$A" in target
                assert other.names[0] == other.key[0]
                seen.add((name, col.name))
            else:
                assert dv is None, (name, col.name)
    assert seen == {("suppliers", "status"), ("hubs", "status"), ("disruptions", "kind"),
                    ("suppliers", "country"), ("hubs", "country"), ("markets", "country"),
                    ("supplier_products", "supplier"), ("demand", "market"),
                    ("tariffs", "origin_country"), ("tariffs", "destination_country")}


def test_xlsx_template_edited_by_a_planner_round_trips(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A cent price typed into the template stays 8.75 (shown and read back); the drop-downs
    and formats survive a save by openpyxl; ``validate`` accepts the workbook."""
    path = tmp_path / "net.xlsx"
    assert main(["init", str(path), "--xlsx"]) == 0
    book = openpyxl.load_workbook(path)
    ws = book["supplier_products"]
    cols = _columns(ws)
    ws.cell(2, cols["unit_cost"]).value = 8.75
    assert ws.cell(2, cols["unit_cost"]).number_format == "#,##0.00"
    book.save(path)
    capsys.readouterr()
    assert main(["validate", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "valid"
    net = read_network(path)
    assert net.supplier_products["unit_cost"].tolist() == [8.75]
    again = openpyxl.load_workbook(path)
    assert len(again["suppliers"].data_validations.dataValidation) == 2
    assert "country_ids" in again.defined_names


# ---- the plan workbook -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def electronics_plan():
    net = examples.electronics()
    return net, solve(net, Policy(min_local_share=0.5, min_suppliers=2))


def test_plan_workbook_totals_match_the_plan(tmp_path: Path, electronics_plan) -> None:
    net, plan = electronics_plan
    path = write_workbook(tmp_path / "plan.xlsx", plan)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["summary", "cost_breakdown", "suppliers_contracted", "hubs_opened",
                            "inbound_flows", "outbound_flows", "market_shares", "country_shares",
                            "supplier_shares"]
    summary = sheets["summary"].set_index("item")["value"]
    assert summary["status"] == "optimal"
    assert float(summary["total cost"]) == pytest.approx(plan.objective)
    costs = [float(v) for k, v in summary.items() if str(k).startswith("cost: ")]
    assert sum(costs) == pytest.approx(plan.objective)
    assert float(summary["policy: min_local_share"]) == 0.5
    assert sheets["cost_breakdown"]["cost"].sum() == pytest.approx(plan.objective)
    assert sheets["cost_breakdown"]["share_of_total"].sum() == pytest.approx(1.0)
    demand = net.demand.groupby("product")["demand"].sum()  # per product: units differ
    for name, column in [("outbound_flows", "quantity"), ("inbound_flows", "quantity"),
                         ("market_shares", "delivered")]:
        per = sheets[name].groupby("product")[column].sum()
        assert per.to_dict() == pytest.approx(demand.to_dict())
    volumes = sheets["suppliers_contracted"].filter(like="volume (units of ")
    assert sorted(volumes.columns) == sorted(f"volume (units of {p})" for p in demand.index)
    assert volumes.sum().rename(lambda c: c[len("volume (units of "):-1]).to_dict() == pytest.approx(
        demand.to_dict())
    for p, d in demand.items():
        assert float(summary[f"demand (units of {p})"]) == pytest.approx(d)
        assert float(summary[f"delivered (units of {p})"]) == pytest.approx(d)
        assert 0.5 - 1e-9 <= float(summary[f"local share ({p})"]) <= 1  # a fraction, not 71.33
    assert (sheets["market_shares"]["local_share"] >= 0.5 - 1e-9).all()
    assert sorted(sheets["suppliers_contracted"]["supplier"]) == sorted(plan.supplier_ids)
    assert sorted(sheets["hubs_opened"]["hub"]) == sorted(plan.hub_ids)
    assert not any(str(c).startswith("Unnamed") for df in sheets.values() for c in df.columns)


def test_plan_workbook_is_formatted(tmp_path: Path, electronics_plan) -> None:
    _, plan = electronics_plan
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", plan))
    for ws in book:
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1])

    def fmt(sheet: str, column: str) -> str:
        ws = book[sheet]
        col = [c.value for c in ws[1]].index(column) + 1
        return ws.cell(2, col).number_format

    assert fmt("market_shares", "local_share") == "0.0%"
    assert fmt("hubs_opened", "utilisation") == "0.0%"
    assert fmt("cost_breakdown", "cost") == "#,##0.00"
    assert fmt("outbound_flows", "quantity") in ("#,##0", "#,##0.00")
    summary = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
    assert summary["total cost"].number_format == "#,##0.00"
    shares = [k for k in summary if "share" in k]
    assert "local share (cells)" in shares and "policy: min_local_share" in shares
    for item in [*shares, "gap"]:  # fractions shown as percentages, like the other sheets
        assert summary[item].number_format == "0.0%", item
        assert 0 <= summary[item].value <= 1, item
    assert not any("(%)" in k for k in summary)
    quantities = [k for k in summary if "(units of " in k]
    assert len(quantities) == 3 * 3  # demand, delivered, shortfall of 3 products
    assert all(summary[k].number_format in ("#,##0", "#,##0.00") for k in quantities)
    assert fmt("suppliers_contracted", "volume (units of chips)") in ("#,##0", "#,##0.00")
    assert fmt("hubs_opened", HUB_THROUGHPUT) in ("#,##0", "#,##0.00")


def test_write_workbook_with_analyses(tmp_path: Path) -> None:
    net = examples.tiny()
    plan = solve(net)
    table = premium(net, {"two": Policy(min_suppliers=2)}, workers=1)
    sweep = frontier(net, "min_local_share", [0.0, 0.5], failures=())
    path = write_workbook(tmp_path / "all.xlsx", plan, premium_table=table,
                          stress=stress_test(net, plan), frontier=sweep)
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"summary", "premium", "stress_failures", "stress_shortfalls", "frontier"} <= set(sheets)
    assert sheets["premium"]["cost"].tolist() == pytest.approx([1260.0, 1760.0])
    failures = sheets["stress_failures"]
    assert failures["worst_served"].is_monotonic_increasing
    assert {f"served {p}" for p in net.products["product"]} <= set(failures.columns)
    only = write_workbook(tmp_path / "premium.xlsx", premium_table=table)
    assert list(pd.read_excel(only, sheet_name=None)) == ["premium"]
    with pytest.raises(ValueError, match="needs"):
        write_workbook(tmp_path / "nothing.xlsx")


def pumps_and_kits() -> Network:
    """30 pumps and 700 kits for Paris: S_CN makes both, S_FR only pumps (local, dearer); the
    hub at Lyon handles both. With half the pumps local: S_CN 15 pumps + 700 kits, S_FR 15 pumps."""
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["FR", "CN"], "region": ["Europe", "Asia"]}),
        products=pd.DataFrame({"product": ["pump", "kit"], "unit_value": [100.0, 10.0]}),
        suppliers=pd.DataFrame({"supplier": ["S_CN", "S_FR"], "country": ["CN", "FR"],
                                "fixed_cost": [1000.0, 1500.0]}),
        supplier_products=pd.DataFrame({"supplier": ["S_CN", "S_CN", "S_FR"],
                                        "product": ["pump", "kit", "pump"],
                                        "capacity": [1000.0, 5000.0, 20.0],
                                        "unit_cost": [50.0, 3.0, 60.0]}),
        hubs=pd.DataFrame({"hub": ["H_Lyon"], "country": ["FR"], "fixed_cost": [2000.0],
                           "capacity": [10000.0]}),
        markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        demand=pd.DataFrame({"market": ["Paris", "Paris"], "product": ["pump", "kit"],
                             "demand": [30.0, 700.0]}),
        lanes=pd.DataFrame({"origin": ["S_CN", "S_FR", "H_Lyon"],
                            "destination": ["H_Lyon", "H_Lyon", "Paris"],
                            "unit_cost": [1.5, 0.5, 0.25]}))


def test_plan_workbook_never_adds_pumps_and_kits(tmp_path: Path) -> None:
    plan = solve(pumps_and_kits(), Policy(min_local_share={"pump": 0.5}))
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", plan))
    sums = {730.0: "all units delivered", 715.0: "S_CN's pumps + kits"}
    hub_totals = []
    for ws in book:
        head = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float) and float(cell.value) in sums:
                    assert head[cell.column - 1] == HUB_THROUGHPUT, (ws.title, cell.coordinate)
                    hub_totals.append(cell.value)
    assert hub_totals == [730]  # the one legitimate sum: throughput against hub capacity

    def table(name: str) -> pd.DataFrame:
        return pd.read_excel(tmp_path / "plan.xlsx", sheet_name=name)

    suppliers = table("suppliers_contracted").set_index("supplier")
    assert suppliers.loc["S_CN", "volume (units of pump)"] == pytest.approx(15)
    assert suppliers.loc["S_CN", "volume (units of kit)"] == pytest.approx(700)
    assert suppliers.loc["S_FR", ["volume (units of pump)", "volume (units of kit)"]].tolist() == [15, 0]
    assert "volume" not in suppliers
    hub = table("hubs_opened").iloc[0]
    assert (hub["throughput (units of pump)"], hub["throughput (units of kit)"]) == (30, 700)
    assert (hub[HUB_CAPACITY], hub["utilisation"]) == (10000, pytest.approx(0.073))
    summary = table("summary").set_index("item")["value"]
    assert float(summary["demand (units of pump)"]) == 30
    assert float(summary["delivered (units of kit)"]) == 700
    assert float(summary["local share (pump)"]) == pytest.approx(0.5)
    assert float(summary["local share (kit)"]) == 0
    assert not any(str(k).startswith(("demand (units)", "local share (%)")) for k in summary.index)
    cells = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
    assert cells["local share (pump)"].number_format == "0.0%"
    assert cells["demand (units of kit)"].number_format == "#,##0"
    for name, column in [("suppliers_contracted", "volume (units of kit)"),
                         ("hubs_opened", "throughput (units of pump)")]:
        ws = book[name]
        assert ws.cell(2, _columns(ws)[column]).number_format == "#,##0"
    ws = book["hubs_opened"]
    assert ws.cell(1, _columns(ws)[HUB_THROUGHPUT]).alignment.wrap_text  # not cut off at 60


# ---- the docs ---------------------------------------------------------------------------------
def _gen_pages():
    spec = importlib.util.spec_from_file_location("gen_pages", ROOT / "docs" / "gen_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_page_is_up_to_date() -> None:
    """docs/data.md (linked from the README) holds the tables generated from the schema."""
    gen = _gen_pages()
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert gen.render(text) == text, "run: python docs/gen_pages.py"
    for name in TABLES:
        assert f"### `{name}`" in text


def test_policies_page_covers_every_field() -> None:
    gen = _gen_pages()
    gen.check_policy_page((ROOT / "docs" / "policies.md").read_text(encoding="utf-8"))


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings_handlers.python")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(tmp_path / "site")], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-5000:]
    assert (tmp_path / "site" / "data" / "index.html").is_file()
