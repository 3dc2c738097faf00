"""The input template (``init``): every table and column, number formats and drop-downs that
follow the schema, and a template that validates and solves as written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from resilient_sc import Policy, read_network, solve
from resilient_sc.cli import main
from resilient_sc.example_data import EXAMPLE_COST
from resilient_sc.schema import FAILURE_KINDS, KINDS, STATUSES, TABLES
from resilient_sc.template import (
    KIND_FORMAT,
    KIND_TEXT,
    column_reference,
    number_format,
    referenced_table,
    write_template,
)
from resilient_sc.verify import verify_plan


def test_csv_template_has_every_table_and_column(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "net")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(f"{t}.csv" for t in TABLES), "README.md"])
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name, table in TABLES.items():
        df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        assert tuple(df.columns) == table.names
        assert len(df) >= 1 or name == "periods"  # header only: one plan, not a roadmap
        assert f"`{name}`" in readme
        for col in table.columns:
            assert f"| `{col.name}` |" in readme and col.description in readme


def test_csv_template_validates_and_solves(tmp_path: Path) -> None:
    net = read_network(write_template(tmp_path / "net"))
    assert not net.warnings
    assert all(len(getattr(net, name)) for name in TABLES if name != "periods")  # optional tables too
    assert net.periods.empty  # the header only: one plan, which solve() solves
    for name in ("suppliers", "hubs"):  # the transition columns are shown, at 0: solve() as before
        frame = pd.read_csv(tmp_path / "net" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert frame[["opening_cost", "closing_cost", "lead_time"]].values.tolist() == [["0", "0", "0"]]
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


def test_the_template_rows_left_beside_a_planners_own_are_warned_of(tmp_path: Path) -> None:
    """A planner who added rows below the template's examples got a plan serving the example's
    4,000 widgets at M_Paris as well (70,200 dearer, said valid): they are warned of, once; the
    template alone is not."""
    from resilient_sc import DataWarning, Network, examples

    template = read_network(write_template(tmp_path / "net"))
    own = examples.electronics().frames()
    merged = {name: pd.concat([getattr(template, name).reset_index(drop=True), own[name]], ignore_index=True)
              if name in own else getattr(template, name) for name in TABLES}
    merged["countries"] = merged["countries"].drop_duplicates("country")  # FR and CN are in both
    with pytest.warns(DataWarning) as said:
        net = Network.from_frames(**merged)
    assert [str(w.message) for w in said if "template" in str(w.message)] == [
        "(demand, row 2 'M_Paris, widget') | the template's example row (4,000 of product widget at "
        f"M_Paris) is here beside {len(own['demand'])} other rows, as are its supplier S_Shenzhen, hub "
        "H_Le_Havre and disruption port_strike: a plan serves that demand; delete the template's example "
        "rows unless they are yours"]
    assert solve(net).objective == pytest.approx(solve(examples.electronics()).objective + EXAMPLE_COST)


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
    said = json.loads(capsys.readouterr().out)
    assert said["status"] == "valid" and said["rows"]["suppliers"] == 1 and said["rows"]["periods"] == 0
    assert main(["init", str(target)]) == 2  # exists
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(target), "--force"]) == 0
    capsys.readouterr()
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(target), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["objective"] == pytest.approx(EXAMPLE_COST)
    assert out.is_file()


def test_init_force_never_replaces_a_folder_holding_more_than_a_template(tmp_path, capsys) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # a file other commands write, but not init
    assert main(["init", str(folder), "--force"]) == 2
    assert "holds other files than .csv, .md (notes.json); it is not replaced even with --force" in \
        capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.json"]
    (folder / "notes.json").rename(folder / "notes.txt")  # refused before any work, in the same words
    assert main(["init", str(folder), "--force"]) == 2
    assert "holds other files than .csv, .md (notes.txt)" in capsys.readouterr().err


def test_init_into_the_current_folder_says_to_give_a_new_one(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "."]) == 2  # os.rename onto the working folder fails: EBUSY, naming a temporary
    assert "(init) | . is the current folder: a folder is written whole, beside it; give a " \
           "new folder, e.g. ./network" in capsys.readouterr().err
    assert main(["init", "network"]) == 0 and (tmp_path / "network" / "demand.csv").is_file()


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


def test_init_from_data_converts_a_folder_to_a_workbook_and_back(tmp_path: Path, capsys) -> None:
    """``init --from DATA`` writes DATA's own tables in the other form: the roadmap example (periods,
    tariffs, disruptions; a hub of unlimited capacity added) as a workbook and that workbook as a CSV
    folder read back table for table, and solve to the same roadmap; DATA is never the target."""
    from resilient_sc import examples, solve_roadmap
    from resilient_sc.io import write_network

    net = examples.electronics_roadmap()
    hubs = net.table("hubs")
    hubs.loc[0, "capacity"] = float("inf")
    source = tmp_path / "source"
    write_network({**net.frames(), "hubs": hubs}, source)
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    book, back = tmp_path / "net.xlsx", tmp_path / "back"
    assert main(["init", str(book), "--from", str(source)]) == 0
    assert main(["init", str(back), "--from", str(book), "--json"]) == 0
    said = json.loads(capsys.readouterr().out.split("\n", 2)[-1])
    assert said["status"] == "written" and said["network"].endswith("5 periods)")
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before  # the input as it was
    assert "README.md" not in {p.name for p in back.iterdir()}  # its words are the example's
    assert openpyxl.load_workbook(book).sheetnames == ["README", *TABLES]
    original, again = read_network(source), read_network(back)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.table(name), original.table(name), check_dtype=name != "periods")
    assert again.hubs["capacity"].iloc[0] == float("inf")
    policy = Policy.from_file(examples.electronics_roadmap_path() / "policy.yaml")
    assert solve_roadmap(again, policy).objective == pytest.approx(solve_roadmap(original, policy).objective,
                                                                   rel=1e-12)
    assert main(["init", str(source), "--from", str(source), "--force"]) == 2
    assert "is the data folder" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "x.xlsx"), "--from", str(tmp_path / "none")]) == 2
    assert "none) | no such file or folder" in capsys.readouterr().err
