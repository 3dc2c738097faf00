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

from resilient_sc import Policy, examples, frontier, premium, read_network, solve, stress_test
from resilient_sc.cli import main
from resilient_sc.schema import KINDS, TABLES
from resilient_sc.template import EXAMPLE_COST, KIND_TEXT, column_reference, write_template
from resilient_sc.workbook import write_workbook

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
    assert not plan.verify()


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


# ---- the plan workbook -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def electronics_plan():
    net = examples.electronics()
    return net, solve(net, Policy(min_local_share=0.5, min_suppliers=2))


def test_plan_workbook_totals_match_the_plan(tmp_path: Path, electronics_plan) -> None:
    net, plan = electronics_plan
    path = plan.to_excel(tmp_path / "plan.xlsx")
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
    demand = net.demand["demand"].sum()
    assert sheets["outbound_flows"]["quantity"].sum() == pytest.approx(demand)
    assert sheets["inbound_flows"]["quantity"].sum() == pytest.approx(demand)
    assert sheets["market_shares"]["delivered"].sum() == pytest.approx(demand)
    assert (sheets["market_shares"]["local_share"] >= 0.5 - 1e-9).all()
    assert sorted(sheets["suppliers_contracted"]["supplier"]) == sorted(plan.supplier_ids)
    assert sorted(sheets["hubs_opened"]["hub"]) == sorted(plan.hub_ids)
    assert not any(str(c).startswith("Unnamed") for df in sheets.values() for c in df.columns)


def test_plan_workbook_is_formatted(tmp_path: Path, electronics_plan) -> None:
    _, plan = electronics_plan
    book = openpyxl.load_workbook(plan.to_excel(tmp_path / "plan.xlsx"))
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
    total = next(r for r in book["summary"].iter_rows(min_row=2) if r[0].value == "total cost")
    assert total[1].number_format == "#,##0.00"


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
    assert sheets["stress_failures"]["served_fraction"].is_monotonic_increasing
    only = write_workbook(tmp_path / "premium.xlsx", premium_table=table)
    assert list(pd.read_excel(only, sheet_name=None)) == ["premium"]
    with pytest.raises(ValueError, match="needs"):
        write_workbook(tmp_path / "nothing.xlsx")


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
