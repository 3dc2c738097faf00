"""Issue 15, the output side: what the library writes is safe to open and never clobbers its
inputs. Formula-like ids are escaped in every CSV and never formulas in a workbook; output
paths are checked against the inputs before any work; folders are written as a whole; bad
numbers and targets get one clear line; a stop request ends a solve with status ``interrupted``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from resilient_sc import (
    Policy,
    RunWarning,
    SolveOptions,
    ValidationError,
    escaping,
    examples,
    io,
    read_network,
    solve,
)
from resilient_sc.cli import failure, main
from resilient_sc.solvers import highs, stops
from resilient_sc.solvers.base import available_cpus
from resilient_sc.stopping import EXIT_SIGNAL
from resilient_sc.workbook import write_workbook

EVIL = '=HYPERLINK("http://evil.example/?x","click")'
CPUS = available_cpus()
#: the tiny example with its supplier and hub renamed to formulas
RENAMED = {"S_CN": EVIL, "H1": "=2*3"}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    """Exit code, the one JSON object on stdout, and stderr (never a traceback)."""
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out), err


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob(f"*{io.TMP_MARK}*"))


@pytest.fixture
def evil_dir(tmp_path: Path) -> Path:
    """The tiny example as CSV files, ids renamed to formulas (:data:`RENAMED`)."""
    frames = {name: df.replace(RENAMED) for name, df in examples.tiny().frames().items()}
    return io.write_network(frames, tmp_path / "evil")[0].parent


# ---- 2. formula injection -----------------------------------------------------------------
def test_formula_like_text_is_escaped_and_numbers_are_not() -> None:
    df = pd.DataFrame({"id": [EVIL, "=2*3", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-5", "S_CN", None],
                       "qty": [-5.0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                       "kind": pd.Categorical(["=x"] + ["a"] * 9)})
    out = escaping.escape_frame(df.rename(columns={"kind": "=cmd"}))
    assert out["id"].tolist()[:7] == ["'" + v for v in df["id"][:7]]
    assert out["id"].tolist()[7:9] == ["-5", "S_CN"] and pd.isna(out["id"].iloc[9])
    assert out["qty"].tolist() == df["qty"].tolist() and out["qty"].dtype == float
    assert list(out.columns) == ["id", "qty", "'=cmd"] and out["'=cmd"].iloc[0] == "'=x"
    assert df["id"].iloc[0] == EVIL  # the input frame is left as it was


def test_text_starting_with_a_quote_is_escaped_too(tmp_path: Path) -> None:
    """Suppliers '-S3 and -S3 were both written '-S3 in a plan's CSV: one cannot be told from
    the other. A cell that starts with ' gets one more: dropping the first ' gives each back."""
    df = pd.DataFrame({"supplier": ["-S3", "'-S3", "'plain", "S1"]})
    io.write_csv(tmp_path / "s.csv", df)
    cells = [row[0] for row in csv.reader((tmp_path / "s.csv").open(encoding="utf-8"))][1:]
    assert cells == ["'-S3", "''-S3", "''plain", "S1"]
    assert [c[1:] if c.startswith("'") else c for c in cells] == df["supplier"].tolist()


def _csv_cells(folder: Path) -> list[str]:
    cells = []
    for path in folder.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            cells += [c for row in csv.reader(fh) for c in row]
    return cells


def _assert_safe_csv(folder: Path) -> None:
    cells = _csv_cells(folder)
    assert cells and not [c for c in cells if escaping.is_formula_like(c)]
    assert "'" + EVIL in cells  # the id is there, escaped


def _assert_safe_workbook(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c for c in cells if c.value == EVIL]
    assert texts and all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert pd.read_excel(path, sheet_name="suppliers_contracted")["supplier"].eq(EVIL).any()


def test_plan_folder_workbook_and_reports_never_hold_formulas(capsys, evil_dir, tmp_path):
    assert main(["solve", str(evil_dir), "--out", str(tmp_path / "plan")]) == 0
    _assert_safe_csv(tmp_path / "plan")
    assert main(["solve", str(evil_dir), "--out", str(tmp_path / "plan.xlsx")]) == 0
    _assert_safe_workbook(tmp_path / "plan.xlsx")
    assert main(["stress", str(evil_dir), "--out", str(tmp_path / "stress")]) == 0
    _assert_safe_csv(tmp_path / "stress")
    policies = tmp_path / "policies.yaml"
    policies.write_text("base: {}\nlocal: {min_local_share: 0.3}\n", encoding="utf-8")
    assert main(["premium", str(evil_dir), "--policies", str(policies), "--workers", "1",
                 "--out", str(tmp_path / "premium")]) == 0
    _assert_safe_csv(tmp_path / "premium")
    capsys.readouterr()


def test_templates_hold_no_formulas(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "net.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "net.xlsx")
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert main(["init", str(tmp_path / "net")]) == 0
    assert not [c for c in _csv_cells(tmp_path / "net") if escaping.is_formula_like(c)]


def test_data_tables_round_trip_unescaped(evil_dir: Path) -> None:
    """Network folders are data, read back as given (not a spreadsheet export)."""
    assert EVIL in pd.read_csv(evil_dir / "suppliers.csv", dtype=str)["supplier"].tolist()


# ---- 8. inputs never overwritten ----------------------------------------------------------
def test_outputs_that_would_clobber_an_input_are_refused(capsys, tiny_dir, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("min_suppliers: 1\n", encoding="utf-8")
    before, policy_before = digest(tiny_dir), policy.read_bytes()
    cases = {
        ("--log", str(tiny_dir / "suppliers.csv")): "would overwrite a file of the data folder",
        ("--log", str(policy)): "is the policy file",
        ("--out", str(tiny_dir)): "is the data folder",
        ("--out", str(tiny_dir / "plan")): "is inside the data folder",
        ("--out", str(tmp_path)): "holds the",
        ("--out", str(policy)): "is the policy file",
    }
    for (option, path), message in cases.items():
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--policy", str(policy), option, path,
                                 "--force")
        assert code == 2 and data["status"] == "invalid_input", (option, path)
        assert f"({option}) | " in data["reason"] and message in data["reason"], data["reason"]
    assert digest(tiny_dir) == before and policy.read_bytes() == policy_before


@pytest.mark.skipif(os.name != "posix", reason="hard and symbolic links, named pipes")
def test_a_link_to_a_table_a_pipe_and_a_read_only_or_open_workbook_are_refused(capsys, tiny_dir, tmp_path):
    """--log at a hard link to a table, or at the target of a table's symbolic link, emptied the
    table (the data folder alone was compared); a named pipe hung the command for a reader; a
    result workbook made read-only, or open in Excel (its ~$ lock file beside it), was replaced."""
    masters = tmp_path / "masters"
    masters.mkdir()
    (masters / "lanes.csv").write_bytes((tiny_dir / "lanes.csv").read_bytes())
    (tiny_dir / "lanes.csv").unlink()
    (tiny_dir / "lanes.csv").symlink_to(masters / "lanes.csv")
    os.link(tiny_dir / "suppliers.csv", tmp_path / "hard.log")
    os.mkfifo(tmp_path / "pipe.log")
    before = {p: p.read_bytes() for p in (masters / "lanes.csv", tiny_dir / "suppliers.csv")}
    kept, opened = tmp_path / "kept.xlsx", tmp_path / "opened.xlsx"
    for book in (kept, opened):
        assert run_json(capsys, "solve", str(tiny_dir), "--out", str(book))[0] == 0
    kept.chmod(0o444)
    (tmp_path / "~$opened.xlsx").write_bytes(b"x")
    cases = {
        ("--log", str(tmp_path / "hard.log")): "is the data folder's suppliers.csv (a link to it)",
        ("--log", str(masters / "lanes.csv")): "is the data folder's lanes.csv (a link to it)",
        ("--log", str(tmp_path / "pipe.log")): "is a named pipe (FIFO)",
        ("--out", str(kept)): "is read-only; it is not replaced even with --force",
        ("--out", str(opened)): "(~$opened.xlsx beside it is its lock file)",
        # the folder holding the file a table's symbolic link leads to: replaced with --force, the folder
        # took the table with it (file system audit)
        ("--out", str(masters)): "holds the file the data folder's lanes.csv links to",
    }
    books = {b: b.read_bytes() for b in (kept, opened)}
    for (option, path), message in cases.items():
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), option, path, "--force")
        assert code == 2 and data["status"] == "invalid_input", (option, path)
        assert f"({option}) | " in data["reason"] and message in data["reason"], data["reason"]
    assert all(p.read_bytes() == b for p, b in {**before, **books}.items())
    assert kept.stat().st_mode & 0o777 == 0o444


def test_a_device_or_socket_is_never_replaced_by_an_output(capsys, tiny_dir, tmp_path):
    """A device node or a socket given as an output file (or a link to one) was replaced by the
    result: as root, a link to /dev/null would have replaced /dev/null (file system audit); a log
    is written into one in place (/dev/null serves)."""
    import socket

    held = socket.socket(socket.AF_UNIX)
    held.bind(str(tmp_path / "s.sock"))
    try:
        (tmp_path / "plan.xlsx").symlink_to(tmp_path / "s.sock")
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(tmp_path / "plan.xlsx"))
        assert code == 2 and "is not a regular file (a device or a socket)" in data["reason"]
        with pytest.raises(OSError, match="is not a regular file"):
            io.write_json(tmp_path / "s.sock", {"a": 1})
        assert (tmp_path / "s.sock").is_socket()
        assert run_json(capsys, "solve", str(tiny_dir), "--log", os.devnull)[0] == 0
    finally:
        held.close()


def test_long_names_are_written_or_refused_before_the_work(capsys, tiny_dir, tmp_path):
    """A legal name of 68 CJK characters (204 bytes) failed 'File name too long' after the solve
    (its temporary's name was cut by characters, not bytes); a folder name over 255 bytes under a
    missing folder was refused after the work, that folder left behind (file system audit)."""
    wide = tmp_path / ("中" * 80)  # 240 bytes
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(wide))
    assert code == 0 and (wide / "plan.json").is_file()
    io.write_json(tmp_path / ("😀" * 62 + ".json"), {"a": 1})  # 253 bytes
    deep = tmp_path / "new" / ("a" * 256) / "x"
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--out", str(deep))
    assert code == 2 and "is longer than 255 bytes" in data["reason"] and "worst" not in data
    with pytest.raises(OSError):
        io.write_text(deep / "notes.txt", "x")
    assert not (tmp_path / "new").exists()  # made, then left when the next name failed


def test_control_characters_of_a_path_are_escaped_not_printed(capsys, tiny_dir, tmp_path):
    """A path holding a line break forged a line of its own ('- (suppliers) | all good', 'plan
    written to elsewhere') and an escape code reached the terminal (file system audit)."""
    forged = "nope\n  - (suppliers) | all good\x1b[2K"
    assert main(["validate", str(tmp_path / forged)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\n  - (suppliers) | all good" not in err and "nope\\n  - (suppliers)" in err
    out = tmp_path / "p\nplan written to elsewhere\x1b[31m"
    assert main(["solve", str(tiny_dir), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "\nplan written to elsewhere" not in said and "\x1b" not in said
    assert said.rstrip().endswith("p\\nplan written to elsewhere\\x1b[31m") and out.is_dir()


def test_a_read_only_file_or_a_link_in_an_output_folder_keeps_it(capsys, tiny_dir, tmp_path):
    """A file made read-only in a plan's folder was replaced with the folder by --force, though the
    docs say a read-only file is not; a link in it was called one of 'other files than .csv, ...'
    (file system audit)."""
    plan = tmp_path / "plan"
    assert run_json(capsys, "solve", str(tiny_dir), "--out", str(plan))[0] == 0
    (plan / "plan.json").chmod(0o444)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(plan), "--force")
    assert code == 2 and "holds the read-only plan.json; it is not replaced even with --force" in (
        data["reason"])
    (plan / "plan.json").chmod(0o644)
    (plan / "link.csv").symlink_to(tiny_dir / "lanes.csv")
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(plan), "--force")
    assert code == 2 and "(link.csv (a symbolic link))" in data["reason"]
    # a file of the planner's own, of a kind a result writes, went with the folder without a word
    (plan / "link.csv").unlink()
    (plan / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.warns(RunWarning, match=r"plan was replaced as a whole: notes\.md, of the folder before and "
                                        r"not of this result, is gone"):
        solve(examples.tiny()).save(plan, force=True)
    assert not (plan / "notes.md").exists() and (plan / "plan.json").is_file()


def test_a_plan_that_cannot_be_written_is_said_all_the_same(capsys, tiny_dir, tmp_path, monkeypatch):
    """A plan over a worksheet's rows (here a limit of 1 row) was lost with its workbook: the
    JSON held the error alone. Its results are printed, and said not written."""
    monkeypatch.setattr(io, "EXCEL_ROWS", 2)
    book = tmp_path / "plan.xlsx"
    code, data, err = run_json(capsys, "solve", str(tiny_dir), "--out", str(book))
    assert code == 2 and data["status"] == "invalid_input" and "a worksheet holds" in data["reason"]
    assert data["objective"] == pytest.approx(1260.0) and data["suppliers"] == ["S_CN"]
    assert data["written"] is False and not book.exists()
    assert "the results are printed (stdout) but were not written to a file" in err
    assert main(["solve", str(tiny_dir), "--out", str(book)]) == 2
    out, err = capsys.readouterr()
    assert "1,260.00" in out and "a worksheet holds" in err


def test_an_input_workbook_is_never_an_output(capsys, tmp_path):
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name, df in examples.tiny().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    before = book.read_bytes()
    for option in ("--out", "--log"):
        code, data, _ = run_json(capsys, "solve", str(book), option, str(book))
        assert code == 2 and "is the input workbook" in data["reason"]
    assert book.read_bytes() == before


def test_orlib_refuses_an_existing_network_folder_without_force(capsys, tmp_path):
    instance = tmp_path / "cap1.txt"
    instance.write_text("2 2\n10 5\n10 7\n4 1 2\n3 2 1\n", encoding="utf-8")
    net = tmp_path / "net"
    io.write_network(examples.tiny().frames(), net)
    before = digest(net)
    code, data, _ = run_json(capsys, "orlib", str(instance), "--out", str(net))
    assert code == 2 and "pass --force to replace it as a whole" in data["reason"]
    assert digest(net) == before
    code, data, _ = run_json(capsys, "orlib", str(instance), "--out", str(net), "--force")
    assert code == 0 and digest(net) != before and not temporaries(tmp_path)
    code, data, _ = run_json(capsys, "orlib", str(instance), "--out", str(tmp_path))
    assert code == 2 and "holds the instance file" in data["reason"]


def test_a_folder_holding_other_files_is_never_replaced(capsys, tiny_dir, tmp_path):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "notes.docx").write_text("mine", encoding="utf-8")
    (out / "sub").mkdir()
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out), "--force")
    assert code == 2
    assert "holds other files than .csv, .json, .md, .png, .svg (notes.docx, sub/)" in data["reason"]
    assert (out / "notes.docx").read_text(encoding="utf-8") == "mine"


def test_another_networks_data_is_never_replaced_by_a_result(capsys, tiny_dir, tmp_path):
    """A data folder is all CSV, as a plan folder is: --force replaced another network's data by a
    plan (its tables gone). A result never replaces a folder holding a table of the data contract;
    the writers of networks (orlib above, init, write_network) still do, with force."""
    other = tmp_path / "asia_data"
    io.write_network(examples.electronics().frames(), other)
    before = digest(other)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(other), "--force")
    assert code == 2 and data["reason"].endswith(
        "holds a network's data (countries.csv, demand.csv, disruptions.csv and 8 more); it is not replaced "
        "even with --force: choose a new or empty folder")
    with pytest.raises(ValidationError, match="holds a network's data"):
        solve(read_network(tiny_dir)).save(other, force=True)
    assert digest(other) == before
    assert main(["init", str(other), "--force"]) == 0 and digest(other) != before  # a network, replaced
    capsys.readouterr()


def test_a_workbook_not_written_as_a_result_needs_force(capsys, tiny_dir, tmp_path):
    """``solve --out budget.xlsx`` replaced a planner's own workbook without a word (a folder needs
    --force); a plan workbook the library wrote is replaced as any output file."""
    budget = tmp_path / "budget.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "my budget"
    book.save(budget)
    before = budget.read_bytes()
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(budget))
    assert code == 2 and data["reason"].endswith("budget.xlsx is not a result workbook as the library writes "
                                                 "it (one made by hand, a network's data, a result saved "
                                                 "since, or one of an earlier release); pass --force to "
                                                 "replace it")
    assert budget.read_bytes() == before and not io.is_result_workbook(budget)
    plan = tmp_path / "plan.xlsx"
    for _ in range(2):  # a result over a result: no --force needed
        assert run_json(capsys, "solve", str(tiny_dir), "--out", str(plan))[0] == 0
    assert io.is_result_workbook(plan)
    # a plan workbook with the planner's notes, saved by another program (which keeps the creator):
    # the planner's now; it was replaced without --force, the notes lost (an audit of round trips)
    book = openpyxl.load_workbook(plan)
    book.create_sheet("my notes")["A1"] = "board decision: keep this hub"
    book.save(plan)
    annotated = plan.read_bytes()
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(plan))
    assert code == 2 and "plan.xlsx is not a result workbook as the library writes it" in data["reason"]
    assert plan.read_bytes() == annotated
    assert run_json(capsys, "solve", str(tiny_dir), "--out", str(budget), "--force")[0] == 0
    assert openpyxl.load_workbook(budget).sheetnames[:2] == ["README", "summary"]


def test_a_plan_folder_is_replaced_only_with_force(capsys, tiny_dir, tmp_path):
    out = tmp_path / "plan"
    assert main(["solve", str(tiny_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    first = digest(out)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out), "--policy",
                             str(_policy(tmp_path, "min_suppliers: 2")))
    assert code == 2 and "is a folder that is not empty; pass --force" in data["reason"]
    assert digest(out) == first
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out), "--force", "--policy",
                             str(_policy(tmp_path, "min_suppliers: 2")))
    assert code == 0 and json.loads((out / "plan.json").read_text(encoding="utf-8"))["policy"] == {
        "min_suppliers": 2}
    assert set(digest(out)) == set(first) and not temporaries(tmp_path)


def _policy(folder: Path, text: str) -> Path:
    path = folder / "policy.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


# ---- 12. bad targets get a clear line -------------------------------------------------------
def test_bad_targets(capsys, tiny_dir, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    (tmp_path / "a_dir.xlsx").mkdir()
    cases = {
        ("solve", str(a_file)): f"{a_file} is a file, not a folder",
        ("solve", str(a_file / "plan")): f"cannot create {a_file / 'plan'}: {a_file} is a file, not a folder",
        ("solve", str(tmp_path / "a_dir.xlsx")): "is a folder; give a file path",
        ("stress", str(a_file)): f"{a_file} is a file, not a folder",
    }
    for (command, out), message in cases.items():
        code, data, _ = run_json(capsys, command, str(tiny_dir), "--out", out)
        assert code == 2 and message in data["reason"], data["reason"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent(capsys, tiny_dir, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(locked / "plan"))
    assert code == 2 and "is not writable" in data["reason"]


def test_write_errors_are_one_clear_line(capsys, tiny_dir, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / f".plan{io.TMP_MARK}host.1.x"))

    monkeypatch.setattr(io, "write_csv", full)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(tmp_path / "plan"))
    assert code == 1 and data["status"] == "error"  # the disk's, not bad input (exit code 2)
    # the hidden temporary it was writing is no name a planner knows
    assert data["reason"] == f"(--out) | cannot write {tmp_path / 'plan'}: No space left on device"
    assert not (tmp_path / "plan").exists() and not temporaries(tmp_path)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux), a disk always full")
def test_an_answer_cut_short_by_a_full_disk_is_an_error(tmp_path: Path) -> None:
    """``--json > result.json`` on a full disk left an empty file and exit code 0, silently (a
    closed pipe, ``| head -1``, stays silent)."""
    command = [sys.executable, "-m", "resilient_sc", "solve", str(examples.electronics_path()), "--json"]
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.endswith("error: the output was not written whole: No space left on device\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux), a disk always full")
def test_a_full_stderr_loses_neither_the_answer_nor_the_plan(tmp_path: Path) -> None:
    """Warnings to a full stderr (``2>>run.log`` on a full disk) raised OSError: the plan was not
    written, stdout stayed empty and the exit code said bad input (2)."""
    ex = tmp_path / "ex"
    shutil.copytree(examples.electronics_path(), ex)
    table = ex / "supplier_products.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("Manaus,cells,9000,", "Manaus,cells,9.000,"),
                     encoding="utf-8")  # a warning
    command = [sys.executable, "-m", "resilient_sc", "solve", str(ex), "--json", "--out", str(tmp_path / "p")]
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=full, text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "optimal"
    assert any("9.000" in w for w in json.loads(done.stdout)["warnings"])
    assert (tmp_path / "p" / "plan.json").is_file()


def test_a_command_started_with_its_output_closed_writes_its_plan(tmp_path: Path) -> None:
    """``resilient-sc solve DATA --out PLAN >&-`` ended in an AttributeError on sys.stdout (None),
    an internal error and no plan; stdout is now the null device."""
    done = subprocess.run([sys.executable, "-m", "resilient_sc", "solve", str(examples.electronics_path()),
                           "--out", str(tmp_path / "plan")], stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert (tmp_path / "plan" / "plan.json").is_file()


def test_out_of_memory_is_said_in_words() -> None:
    assert failure(MemoryError()).error.startswith("out of memory: free memory")


def test_damaged_workbooks_are_a_clean_error(capsys, tmp_path, monkeypatch):
    book = tmp_path / "net.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a zip")
    code, data, _ = run_json(capsys, "validate", str(book))
    assert code == 2 and data["status"] == "invalid_input" and "net.xlsx" in data["reason"]
    import resilient_sc.data

    def broken(path, *args, **kwargs):
        raise KeyError("There is no item named 'xl/workbook.xml' in the archive")

    monkeypatch.setattr(resilient_sc.data, "read_network", broken)  # a reader that lets one through
    code, data, _ = run_json(capsys, "validate", str(book))
    assert code == 2 and "(net.xlsx) | cannot read it as a workbook (KeyError" in data["reason"]


# ---- 9. folders as a whole, files atomically, no temporaries ------------------------------------
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_folder_write_leaves_the_old_folder(tmp_path: Path, error: type[BaseException]) -> None:
    out = tmp_path / "out"
    io.write_network({"a": pd.DataFrame({"x": [1]})}, out)
    before = digest(out)
    with pytest.raises(error), io.atomic_folder(out, force=True) as tmp:
        (tmp / "a.csv").write_text("new", encoding="utf-8")
        raise error()
    assert digest(out) == before and not temporaries(tmp_path)
    with io.atomic_folder(out, force=True) as tmp:
        (tmp / "b.csv").write_text("new", encoding="utf-8")
    assert set(digest(out)) == {"b.csv"} and not temporaries(tmp_path)


def test_a_swap_without_an_atomic_exchange_puts_the_old_folder_back(tmp_path: Path, monkeypatch) -> None:
    """macOS and Windows swap folders by two renames; when the second fails (Windows: a file of
    the new folder held open by a virus scanner) the old folder stayed under a hidden name, the
    target absent, for the next run to sweep away."""
    out = tmp_path / "out"
    io.write_network({"a": pd.DataFrame({"x": [1]})}, out)
    before = digest(out)
    monkeypatch.setattr(io, "_exchange", lambda a, b: False)
    real = os.rename

    def rename(a, b):
        if Path(b) == out and Path(a).name != "old":  # the new folder into place
            raise PermissionError(13, "Access is denied", str(a))
        real(a, b)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(PermissionError), io.atomic_folder(out, force=True) as tmp:
        (tmp / "b.csv").write_text("new", encoding="utf-8")
    assert digest(out) == before and not temporaries(tmp_path)


def test_a_failed_workbook_write_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(io, "format_sheet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.write_excel(tmp_path / "plan.xlsx", {"s": pd.DataFrame({"x": [1]})})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file-size limits (RLIMIT_FSIZE)")
def test_a_workbook_write_over_the_file_size_limit_is_one_error_and_no_traceback(tmp_path: Path) -> None:
    script = f"""
import resource, signal
import pandas as pd
from resilient_sc import io
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
try:
    io.write_excel({str(tmp_path / "big.xlsx")!r}, {{"s": pd.DataFrame({{"x": range(50000)}})}})
except OSError as exc:
    print("refused:", exc)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("refused: [Errno 27] File too large:") and "big.xlsx" in done.stdout
    assert done.stderr == ""  # openpyxl's half-written streams closed quietly, no "Exception ignored"
    assert list(tmp_path.iterdir()) == []


def test_the_temporaries_of_killed_writers_are_swept(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    prefix = f".plan{io.TMP_MARK}{io._HOST}."
    dead, alive = tmp_path / f"{prefix}999999999.abc", tmp_path / f"{prefix}{os.getpid()}.def"
    # a plan saved into the command's temporary folder has a temporary of its own beside it: a
    # kill -9 left both, and the next write swept the outer one only
    nested = tmp_path / f".{dead.name}{io.TMP_MARK}{io._HOST}.999999999.ghi"
    for folder in (dead, nested):
        folder.mkdir()
        (folder / "x.csv").write_text("partial", encoding="utf-8")
    alive.write_text("in progress", encoding="utf-8")
    with io.atomic_folder(target) as tmp:
        (tmp / "a.csv").write_text("1", encoding="utf-8")
    assert not dead.exists() and not nested.exists() and alive.exists()  # another writer's is left alone


def test_a_folder_another_run_writes_meanwhile_is_said_to_be_so(tmp_path):
    """Two runs writing one new --out at once: the one ending second was told its folder was not
    empty and to pass --force, words for a folder there before it started; the other run's
    folder is kept whole."""
    target = tmp_path / "plan"
    with pytest.raises(FileExistsError) as exc, io.atomic_folder(target) as tmp:
        (tmp / "mine.csv").write_text("1", encoding="utf-8")
        target.mkdir()  # the other run's, put in place first
        (target / "theirs.csv").write_text("2", encoding="utf-8")
    assert str(exc.value).startswith("[Errno 17] written meanwhile by another run or program, nothing of "
                                     "this run was written: ")
    assert [p.name for p in target.iterdir()] == ["theirs.csv"]


def test_an_api_write_error_names_the_output(tmp_path, monkeypatch):
    """Plan.save on a full disk said '[Errno 28] No space left on device' alone (pandas names no
    file), and on a read-only place named '.plan.rsc-tmp.vm.14394.1q73k15s', never given (audit)."""
    import errno
    import tempfile

    plan, out = solve(examples.tiny()), tmp_path / "plan"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def read_only(prefix, dir):
        raise OSError(errno.EROFS, "Read-only file system", str(Path(dir) / f"{prefix}x1y2"))

    for target, fault in ((io, "write_csv"), (tempfile, "mkdtemp")):
        with monkeypatch.context() as m:
            m.setattr(target, fault, full if fault == "write_csv" else read_only)
            with pytest.raises(OSError) as info:
                plan.save(out)
        assert info.value.filename == str(out) and not out.exists() and not temporaries(tmp_path)
    assert info.value.strerror == "Read-only file system"


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symbolic links")
def test_a_dangling_link_as_the_out_folder_is_refused_before_the_work(capsys, tiny_dir, tmp_path):
    """A link to a folder not there passed the checks, ran the whole solve and ended in 'cannot
    write dl/link: Not a directory' (audit); Plan.save raised NotADirectoryError naming its temporary."""
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere" / "plan")
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(link))
    assert code == 2 and "objective" not in data and data["reason"].endswith(
        f"(--out) | {link} is a symbolic link to {tmp_path / 'nowhere' / 'plan'}, which does not exist: give "
        "the folder's own path, or make the folder the link names first")
    with pytest.raises(ValidationError, match="which does not exist: give the folder's own path"):
        solve(examples.tiny()).save(link)


def test_a_run_from_a_folder_since_removed_writes_its_out_folder(capsys, tiny_dir, tmp_path, monkeypatch):
    """From a working folder that was removed (a CI step's cleaned temporary folder), solve --out DIR
    failed after the solve naming its own temporary, and stress --out DIR --force was refused 'No such
    file or directory' for a folder that exists (CLI automation audit)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(tmp_path / "plan"))
    assert code == 0 and (tmp_path / "plan" / "plan.json").is_file(), data
    (tmp_path / "stress").mkdir()
    (tmp_path / "stress" / "stress_summary.csv").write_text("old\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--out", str(tmp_path / "stress"),
                             "--no-figures", "--force")
    assert code == 0 and (tmp_path / "stress" / "report.md").is_file(), data


def test_a_dangling_link_as_the_log_makes_its_target(capsys, tiny_dir, tmp_path):
    """--log at a link to a file in a folder not there was refused 'cannot write log.lnk: No such
    file or directory' while --out's files follow such a link and make its target (audit)."""
    link, target = tmp_path / "log.lnk", tmp_path / "nowhere" / "run.log"
    link.symlink_to(target)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--log", str(link))
    assert code == 0 and data["status"] == "optimal"
    assert link.is_symlink() and "HiGHS" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["solve", "stress"])
def test_an_out_folder_another_run_fills_while_this_one_solves_is_said_to_be_so(
        command, capsys, tiny_dir, tmp_path, monkeypatch):
    """Another run finishing first (the usual race: after the check before the work, before the
    write): solve said 'is a folder that is not empty; pass --force', words for a folder there
    before, and stress, premium and frontier 'pass force=True', the API's argument (audit)."""
    from resilient_sc import optimize

    out, real = tmp_path / "out", optimize.solve

    def solve_then_the_other_run(*args, **kwargs):
        plan = real(*args, **kwargs)
        out.mkdir(exist_ok=True)
        (out / "theirs.csv").write_text("x\n", encoding="utf-8")
        return plan

    monkeypatch.setattr(optimize, "solve", solve_then_the_other_run)
    code, data, _ = run_json(capsys, command, str(tiny_dir), "--out", str(out))
    assert code == 2 and data["reason"] == (
        f"1 problem with the output paths:\n  - (--out) | cannot write {out}: written meanwhile by another "
        "run or program, nothing of this run was written; give another path, or pass --force to replace it "
        "as a whole")
    assert [p.name for p in out.iterdir()] == ["theirs.csv"] and not temporaries(tmp_path)


@pytest.mark.parametrize("gone", ["folder", "parent"])
def test_a_folder_removed_while_written_is_never_put_in_place(tmp_path, capsys, tiny_dir, gone):
    """The unfinished folder (or the folder above --out) removed while a run wrote it: each file
    written after made its folders again, and the files written after took the place of the
    output, said written whole (exit 0); with --force over a whole report, 2 files of 6 (audit)."""
    parent = tmp_path / "results"
    target = parent / "plan"
    assert main(["solve", str(tiny_dir), "--out", str(target)]) == 0
    before = digest(target)
    removed = (r"the unfinished folder \.plan\.rsc-tmp\.\S+ was removed while this run wrote it \(by "
               r"another program\?\): nothing of this run was written")
    with pytest.raises(FileNotFoundError, match=removed) as info, io.atomic_folder(target, force=True) as tmp:
        io.write_csv(tmp / "a.csv", pd.DataFrame({"x": [1]}))
        shutil.rmtree(tmp if gone == "folder" else parent)
        io.write_csv(tmp / "b.csv", pd.DataFrame({"x": [2]}))  # its folders made again
    assert info.value.filename == str(target)
    if gone == "folder":
        assert digest(target) == before  # the old plan kept whole
    else:
        assert not target.exists()  # nothing of this run's
    assert not temporaries(tmp_path)
    capsys.readouterr()


def test_report_folders_are_written_whole(capsys, tiny_dir, tmp_path):
    out = tmp_path / "report"
    assert main(["stress", str(tiny_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    first = set(digest(out))
    assert "report.md" in first and not temporaries(tmp_path)
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--out", str(out))
    assert code == 2 and "pass --force" in data["reason"]
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--out", str(out), "--force")
    assert code == 0 and set(digest(out)) == first and sorted(data["files"]) == sorted(first)


def test_a_long_policy_name_writes_its_report(capsys, tiny_dir, tmp_path):
    """A 300-character policy name ran every solve, then failed to write its figure ('File name
    too long', blamed on --out, naming the hidden temporary folder)."""
    policies = tmp_path / "policies.yaml"
    policies.write_text("base: {}\n" + "a" * 300 + ": {min_local_share: 0.5}\n", encoding="utf-8")
    out = tmp_path / "report"
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies), "--workers", "1",
                             "--out", str(out))
    assert code == 0 and (out / "report.md").is_file() and not temporaries(tmp_path)
    assert max(len(f.name) for f in out.iterdir()) <= 80 and data["status"] == "ok"


# ---- 5 and 10. numbers on the command line ------------------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    (["frontier", "{data}", "--field", "min_local_share", "--values", "0,["],
     "argument --values: '[' is not valid YAML"),
    (["frontier", "{data}", "--field", "excluded_countries", "--values",  # an alias bomb: 9**9 values
      "[&a [1,1,1,1,1,1,1,1,1], " + ", ".join(f"&{b} [{','.join([f'*{a}'] * 9)}]"
                                            for a, b in zip("abcdefgh", "bcdefghi", strict=True)) + "]"],
     "has more than 100,000 values"),
    (["stress", "{data}", "--penalty", "inf"], "argument --penalty: 'inf': give a finite number >= 0"),
    (["stress", "{data}", "--penalty", "nan"], "argument --penalty: 'nan': give a finite number >= 0"),
    (["stress", "{data}", "--penalty", "-1"], "argument --penalty: '-1': give a finite number >= 0"),
    (["stress", "{data}", "--penalty", "{{chips"], "argument --penalty: '{chips' is not valid YAML"),
    (["stress", "{data}", "--penalty", "{{}}"], "argument --penalty: '{}' names no product"),
    (["solve", "{data}", "--gap", "nan"], "argument --gap: 'nan': give a relative gap in [0, 1)"),
    (["solve", "{data}", "--time-limit", "nan"], "--time-limit: 'nan': give a number of seconds > 0"),
    (["solve", "{data}", "--time-limit", "0"], "argument --time-limit: '0': give a number of seconds > 0"),
    (["solve", "{data}", "--threads", "0"], "argument --threads: '0': give a whole number of solver threads"),
    # a superscript two is a digit to str.isdigit, not to int(): argparse's own 'invalid parse value' (fuzzer)
    (["solve", "{data}", "--threads", "²"], "argument --threads: '²': give a whole number of solver threads"),
    (["solve", "{data}", "--threads", "100000"], f"'100000': give a whole number of solver threads from 1 to "
                                                  f"{CPUS}"),
    (["solve", "{data}", "--out", ""], "argument --out: '': give a path (an empty one would be the current"),
    (["solve", "{data}", "--log", " "], "argument --log: ' ': give a path"),
    (["premium", "{data}", "--policies", "p.yaml", "--workers", "100000"],
     f"argument --workers: '100000': give a whole number of worker processes from 1 to {CPUS}"),
    (["orlib", "{instance}", "--out", "o", "--capacity", "nan"], "'nan': give a finite number > 0"),
    (["orlib", "{instance}", "--out", "o", "--capacity", "inf"], "'inf': give a finite number > 0"),
    (["orlib", "{instance}", "--out", "o", "--capacity", "0"], "'0': give a finite number > 0"),
])
def test_bad_numbers_are_usage_errors(capsys, tiny_dir, tmp_path, argv, message):
    instance = tmp_path / "cap1.txt"
    instance.write_text("2 2\ncapacity 5\ncapacity 7\n4 1 2\n3 2 1\n", encoding="utf-8")
    argv = [a.format(data=tiny_dir, instance=instance) for a in argv]
    code, data, _ = run_json(capsys, *argv)
    assert code == 2 and data["status"] == "invalid_input" and message in data["reason"], data["reason"]


@pytest.mark.parametrize(("text", "message"), [
    ("2 2\n5 inf\n10 7\n4 1 2\n3 2 1\n", "line 2: fixed cost: 'inf' is not a finite number"),
    ("2 2\n5 10\n10 7\n4 1 2\n3 2 nan\n", "line 5: customer data: 'nan' is not a finite number"),
    ("inf 2\n", "line 1: the number of warehouses must be a whole number >= 1"),
    ("2.5 2\n", "line 1: the number of warehouses must be a whole number >= 1"),
    ("2 1e12\n", "line 1: 2 warehouses × 1,000,000,000,000 customers make 2,000,000,000,002 lanes, over the "
                 "limit of 5,000,000 rows per table"),
    # audit: a header that does not match the numbers was read as another instance
    ("2 2\n5 10\n10 7\n4 1 2\n3 2 1\n9 9 9\n", "line 6: 3 numbers more than the 12 its first line's sizes "
                                               "call for, from here: check the sizes"),
    ("2 2\n5 10\n10 7\n4 1 2\n", "line 4: expected 12 numbers, found 9: the file ends here"),
    ("2 2\n5 10\n10 7\n4 1 -2\n3 2 1\n", "line 4: customer data: -2 is negative"),
    ("2 2\n5 10\n10 7\n4 1 2\n3 2 1e300\n", "line 5: customer data: 1e+300 is over the limit of 1e+15"),
    ("2 2\ncapacity 10\n10 7\n4 1 2\n3 2 1\n", "line 2: capacity: 'capacity' is not a finite number"),
    ("2 2\n5 10\n10 7\n0 1 2\n3 2 1\n", "line 4: customer 1 has demand 0: its allocation costs cannot be"),
    ("2 2\r5 10\r10 7\r4 1 2\r3 2 x\r", "line 5: customer data: 'x' is not a finite number"),  # old Mac lines
])
def test_orlib_files_with_non_finite_numbers(capsys, tmp_path, text, message):
    instance = tmp_path / "cap1.txt"
    instance.write_text(text, encoding="utf-8")
    code, data, _ = run_json(capsys, "orlib", str(instance), "--out", str(tmp_path / "o"))
    assert code == 2 and f"(cap1.txt) | {message}" in data["reason"], data["reason"]
    holmberg = tmp_path / "p1"
    holmberg.write_text("2 2\n5 10\n7 inf\n4 3\n1 2\n2 1\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "orlib", str(holmberg), "--out", str(tmp_path / "o"))
    assert code == 2 and "(p1) | line 3: numbers: 'inf' is not a finite number" in data["reason"]


def test_an_instance_file_is_split_only_as_far_as_its_sizes_call_for(tmp_path):
    """A file of 33 million numbers under sizes '1 1' took 2.15 GB (a Python object per number)
    to be refused; now counted in place, and only the numbers the sizes call for are split."""
    from resilient_sc.orlib import _Tokens, read_orlib

    instance = tmp_path / "cap1.txt"
    instance.write_bytes(b"1 1\n" + b"5 10\n" + b"10 " * 200_000)
    tokens = _Tokens(instance)
    assert len(tokens) == 200_004 and tokens.tokens == [b"1", b"1"]
    with pytest.raises(ValidationError, match="line 3: 199,998 numbers more than the 6 its first line's"):
        read_orlib(instance)


@pytest.mark.parametrize(("out", "log", "how"), [
    ("P", "P/solve.log", "is inside"), ("D/plan.xlsx", "D", "holds"),
    ("same.xlsx", "same.xlsx", "is the same path as"),
])
def test_the_log_and_the_plan_are_never_one_path(capsys, tiny_dir, tmp_path, monkeypatch, out, log, how):
    """--log inside the --out folder (replaced as a whole), the --out workbook's folder, or the
    --out path itself passed the checks and the plan or the log was lost after the solve."""
    monkeypatch.chdir(tmp_path)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", out, "--log", log)
    assert code == 2 and f"(--log) | {log} {how} the --out output {out}: one would" in data["reason"]
    assert not any(Path(p).exists() for p in (out, log))

@pytest.mark.parametrize(("argv", "message"), [
    (["solve", "{data}", "--out", "plan.csv"], "(--out) | plan.csv ends in .csv, as a file does, but --out "
                                               "writes a folder, or a workbook ending in .xlsx, here"),
    (["stress", "{data}", "--out", "s.xlsx"], "(--out) | s.xlsx ends in .xlsx, as a file does, but --out "
                                              "writes a folder here"),
    (["init", "t.json"], "(init) | t.json ends in .json"),
])
def test_an_output_folder_named_like_a_file_is_refused(capsys, tiny_dir, tmp_path, monkeypatch, argv,
                                                       message):
    """--out plan.csv made a folder named plan.csv ('plan written to plan.csv'), and a report
    command's --out r.xlsx a folder named r.xlsx; refused before any work."""
    monkeypatch.chdir(tmp_path)
    code, data, _ = run_json(capsys, *[a.format(data=tiny_dir) for a in argv])
    assert code == 2 and message in data["reason"], data["reason"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in [tiny_dir])

def test_an_orlib_file_over_the_file_limit_is_refused_unread(capsys, tmp_path, monkeypatch):
    """orlib read its whole file whatever its size (300 MB took 700 MB of memory); it is read
    within the input file limit (RESILIENT_SC_MAX_FILE_MB), as every table is."""
    monkeypatch.setenv("RESILIENT_SC_MAX_FILE_MB", "0.001")
    instance = tmp_path / "cap1.txt"
    instance.write_text("2 2\n5 10\n10 7\n" + "4 1 2\n" * 400, encoding="utf-8")
    code, data, _ = run_json(capsys, "orlib", str(instance), "--out", str(tmp_path / "o"))
    assert code == 2 and "(cap1.txt) | cap1.txt is 2.4 KB, over the limit of 0.001 MB per input file" in data[
        "reason"], data["reason"]

def test_thread_counts_above_the_cpus_are_refused() -> None:
    with pytest.raises(ValidationError, match=rf"threads == 100000, must be between 1 and {CPUS} \(the CPUs"):
        SolveOptions(threads=100_000).check()
    SolveOptions(threads=CPUS).check()


# ---- 4. stop requests -----------------------------------------------------------------------
def _signal_in_the_first_poll(monkeypatch: pytest.MonkeyPatch, signum: int) -> list[str]:
    """Send ``signum`` to this process from HiGHS's first interrupt callback: it arrives
    while HiGHS is running, whatever the speed of the machine. Returns what the first poll
    saw (for a failure's message)."""
    sent: list[str] = []

    def poll(event):
        if not sent:
            main = threading.current_thread() is threading.main_thread()
            sent.append(f"main thread {main}, SIGINT handler {signal.getsignal(signal.SIGINT)!r}, "
                        f"stop request {vars(stops.stop_request)!r} before the signal")
            os.kill(os.getpid(), signum)
            sent.append(f"after it {vars(stops.stop_request)!r}")
        highs_poll(event)

    highs_poll = highs._poll
    monkeypatch.setattr(highs, "_poll", poll)
    return sent


def test_ctrl_c_in_a_library_solve_raises_keyboard_interrupt(electronics, monkeypatch) -> None:
    """Without the CLI's handlers, Ctrl-C during a HiGHS run is a KeyboardInterrupt (not a
    solver error) once HiGHS has stopped, and the next solve runs normally."""
    # Python's own Ctrl-C handling, as a library user has it: a process started in the
    # background by a non-interactive shell (`sh -c 'pytest &'`) inherits SIGINT ignored, and
    # Python leaves it so (the old form of this test failed every such run, passed in foreground)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    seen = _signal_in_the_first_poll(monkeypatch, signal.SIGINT)
    try:
        solve(electronics, Policy(survive=("country",), service_level=0.8))
    except KeyboardInterrupt:
        pass
    else:  # say what the poll saw
        pytest.fail(f"no KeyboardInterrupt; the first poll saw: {'; '.join(seen) or 'no poll'}")
    monkeypatch.undo()
    assert solve(examples.tiny()).objective == pytest.approx(1260)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_stops_the_command_with_one_json_object(capsys, monkeypatch, tmp_path, signum):
    policy = _policy(tmp_path, "survive: [country]\nservice_level: 0.8")
    _signal_in_the_first_poll(monkeypatch, signum)
    start = time.perf_counter()
    code, data, err = run_json(capsys, "solve", str(examples.electronics_path()), "--policy", str(policy),
                               "--out", str(tmp_path / "plan"))
    name = signal.Signals(signum).name
    assert code == EXIT_SIGNAL + signum
    assert data == {"status": "interrupted", "reason": f"interrupted by {name}", "signal": name}
    assert f"error: interrupted by {name}" in err and time.perf_counter() - start < 10
    assert not (tmp_path / "plan").exists() and not temporaries(tmp_path)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and stops.stop_signal() is None


def test_a_keyboard_interrupt_outside_the_handlers_is_sigint() -> None:
    outcome = failure(KeyboardInterrupt())
    assert outcome.code == 130 and outcome.data["signal"] == "SIGINT"


def test_a_plan_is_never_saved_over_its_data(tiny_dir, tmp_path):
    """Plan.save(data folder, force=True) replaced the data folder of CSV tables with the plan's
    (.csv files count as outputs); the data a plan (or roadmap) was solved from, a folder inside
    it or one holding it are refused, and so is a non-empty folder without force, as one
    ValidationError (was the OS's FileExistsError)."""
    before = digest(tiny_dir)
    plan = solve(read_network(tiny_dir))
    for folder, words in ((tiny_dir, "is the data it was solved from"),
                          (tiny_dir / "plan", "is inside the data"),
                          (tiny_dir.parent, "holds the data it was solved from")):
        with pytest.raises(ValidationError, match=words):
            plan.save(folder, force=True)
    assert digest(tiny_dir) == before
    plan.save(tmp_path / "out")
    with pytest.raises(ValidationError, match="is a folder that is not empty; pass force=True"):
        plan.save(tmp_path / "out")
    assert plan.save(tmp_path / "out", force=True) == tmp_path / "out"


def test_roadmaps_and_reports_are_never_saved_over_their_data(tmp_path, monkeypatch):
    """Roadmap.save, save_roadmap (which wrote through its own temporary folder) and the report
    writers refuse the data folder they were solved from; a network's source that is a label
    ('tiny'), not a path, is no data folder: a plan saved as 'tiny' is saved again with force."""
    from resilient_sc.analysis import stress_test
    from resilient_sc.analysis.report import write_stress_report
    from resilient_sc.analysis.roadmap_report import save_roadmap
    from resilient_sc.roadmap import solve_roadmap

    data = Path(shutil.copytree(examples.electronics_roadmap_path(), tmp_path / "data"))
    before = digest(data)
    net = read_network(data)
    roadmap = solve_roadmap(net, options=SolveOptions(time_limit=60, allow_nonoptimal=True))
    for save in (roadmap.save, lambda f, force: save_roadmap(f, roadmap, figures=False, force=force)):
        with pytest.raises(ValidationError, match="is the data it was solved from"):
            save(data, force=True)
    plain = read_network(examples.electronics_path())
    plan = solve(plain)
    copy = Path(shutil.copytree(examples.electronics_path(), tmp_path / "plain"))
    with pytest.raises(ValidationError, match="is inside the data it was solved from"):
        write_stress_report(copy / "report", read_network(copy), plan, stress_test(plain, plan),
                            figures=False)
    assert digest(data) == before and not (copy / "report").exists()
    monkeypatch.chdir(tmp_path)
    tiny = solve(examples.tiny())
    tiny.save("tiny")
    assert tiny.save("tiny", force=True) == Path("tiny")


def test_a_file_output_given_a_folder_says_so_before_writing(tmp_path):
    """write_workbook to a folder failed at the end naming its hidden temporary
    ('.x.xlsx.rsc-tmp…' -> 'x.xlsx'); it is refused first, naming the folder, nothing left."""
    from resilient_sc.workbook import write_workbook

    folder = tmp_path / "plan.xlsx"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=r"plan\.xlsx is a folder; give a file path"):
        write_workbook(folder, solve(examples.tiny()))
    assert list(tmp_path.iterdir()) == [folder] and not any(folder.iterdir())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_solver_log_that_cannot_be_written_keeps_the_plan(capsys, tiny_dir, tmp_path):
    """``--log /dev/full`` ended with 'error: [Errno 28] No space left on device', exit 2, and no
    plan written: a log costs no solve."""
    code = main(["solve", str(tiny_dir), "--out", str(tmp_path / "plan"), "--log", "/dev/full", "--json"])
    out = capsys.readouterr().out
    assert code == 0 and (tmp_path / "plan" / "plan.json").is_file()
    assert json.loads(out)["warnings"] == ["(log) | could not write the solver log "  # no "RuntimeWarning:"
                                           "/dev/full: No space left on device; the plan is kept"]


def test_an_old_folder_that_cannot_be_removed_is_said(tmp_path, monkeypatch):
    """A replaced plan folder that could not be removed (its files read-only to a non-root user)
    was left beside the new one as '.p.rsc-tmp…' without a word."""
    from resilient_sc import io as rio

    target = tmp_path / "p"
    with rio.atomic_folder(target) as tmp:
        (tmp / "plan.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(rio.shutil, "rmtree", lambda path, ignore_errors=False: None)  # as if refused
    with (pytest.warns(RuntimeWarning, match=r"could not remove .*\.p\.rsc-tmp.*remove it by hand"),
          rio.atomic_folder(target, force=True) as tmp):
        (tmp / "plan.json").write_text('{"new": 1}', encoding="utf-8")
    assert (target / "plan.json").read_text(encoding="utf-8") == '{"new": 1}'


def test_a_model_file_cut_short_is_an_error_and_the_old_file_stays(tmp_path, monkeypatch):
    """HiGHS reports no failed write: on a full disk write_model returned with a 40 KB .lp of
    14.8 MB (and a 0-byte .mps) renamed over the good file. The file's last line is checked."""
    from resilient_sc import examples, export
    from resilient_sc.export import write_model

    target = tmp_path / "m.lp"
    write_model(examples.tiny(), None, target)
    good = target.read_bytes()
    real = export.make_highs

    def cut_short(*args, **kwargs):
        h = real(*args, **kwargs)
        write = h.writeModel

        def short(name):
            status = write(name)
            Path(name).write_bytes(Path(name).read_bytes()[:100])  # the disk filled up at byte 100
            return status
        h.writeModel = short
        return h

    monkeypatch.setattr(export, "make_highs", cut_short)
    for suffix in (".lp", ".mps"):
        with pytest.raises(OSError, match="the model file was cut short"):
            write_model(examples.tiny(), None, target.with_suffix(suffix))
    assert target.read_bytes() == good and sorted(p.name for p in tmp_path.iterdir()) == ["m.lp"]


def test_an_output_under_a_file_names_the_file(tmp_path):
    """``write_model("afile/m.lp")`` said ``File exists: 'afile/m.lp'`` (it does not exist)."""
    from resilient_sc import examples, solve
    from resilient_sc.export import write_model
    from resilient_sc.workbook import write_workbook

    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match=r"cannot create .*m\.lp: .*afile is a file, not a folder"):
        write_model(examples.tiny(), None, tmp_path / "afile" / "m.lp")
    with pytest.raises(NotADirectoryError, match=r"afile is a file, not a folder"):
        write_workbook(tmp_path / "afile" / "sub" / "p.xlsx", solve(examples.tiny()))


def test_write_workbook_never_writes_over_its_data_and_asks_force_for_a_hand_made_book(tmp_path):
    """write_workbook(path, plan) replaced the workbook the plan was solved from with the plan
    (Plan.save and the CLI refuse it): refused even with force; a workbook the library did not
    write as a result is replaced only with force=True, one it wrote as before."""
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name, df in examples.tiny().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    before = book.read_bytes()
    plan = solve(read_network(book))
    for force in (False, True):
        with pytest.raises(ValidationError, match=r"tiny\.xlsx is the data the plan was solved from"):
            write_workbook(book, plan, force=force)
    assert book.read_bytes() == before
    other = tmp_path / "other.xlsx"
    other.write_bytes(before)
    with pytest.raises(ValidationError, match=r"or one of an earlier release\); pass force"):
        write_workbook(other, plan)
    assert write_workbook(other, plan, force=True) == write_workbook(other, plan) == other


def test_a_link_to_an_output_file_has_its_target_replaced(capsys, tiny_dir, tmp_path):
    """--out link.xlsx replaced the link with a file (the shared copy it pointed to went stale),
    where a linked folder has its target replaced: both follow the link now."""
    real, link = tmp_path / "real.xlsx", tmp_path / "link.xlsx"
    assert main(["solve", str(tiny_dir), "--out", str(real)]) == 0
    link.symlink_to(real)
    first = real.read_bytes()
    (tmp_path / "near.yaml").write_text("min_local_share: 0.5\n", encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--policy", str(tmp_path / "near.yaml"), "--out", str(link)]) == 0
    capsys.readouterr()
    assert link.is_symlink() and real.read_bytes() != first


def test_a_read_only_folder_is_not_replaced_even_with_force(capsys, tiny_dir, tmp_path, monkeypatch):
    """chmod 555 on a plan folder: --force swapped it all the same and left its old copy behind,
    hidden and undeletable; now refused before any work (os.access stands in for a non-root user)."""
    out = tmp_path / "plan"
    assert main(["solve", str(tiny_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    real = os.access
    monkeypatch.setattr(io.os, "access", lambda p, mode: Path(p) != out and real(p, mode))
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out), "--force")
    assert code == 2 and "plan is read-only; it is not replaced even with --force" in data["reason"]
    monkeypatch.undo()  # as root (CI, containers) os.access says writable: the mode bits say read-only
    out.chmod(0o555)
    try:
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out), "--force")
        # without --force it was told to pass --force, then refused with it (audit)
        without = run_json(capsys, "solve", str(tiny_dir), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert code == 2 and "plan is read-only; it is not replaced even with --force" in data["reason"]
    assert without[0] == 2 and "is read-only; it is not replaced even with --force" in without[1]["reason"]
    empty = tmp_path / "empty"  # an empty one was replaced without --force, and left writable
    empty.mkdir(mode=0o555)
    try:
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(empty))
    finally:
        mode = empty.stat().st_mode & 0o777
        empty.chmod(0o755)
    assert code == 2 and "empty is read-only; it is not replaced even with --force" in data["reason"]
    assert mode == 0o555 and not any(empty.iterdir())


@pytest.mark.parametrize("command", [["premium", "--policies", "POLICIES"],
                                     ["frontier", "--field", "min_local_share", "--values", "0,0.5"],
                                     ["stress"]])
def test_a_report_that_cannot_be_written_is_said_all_the_same(capsys, tiny_dir, tmp_path, monkeypatch,
                                                              command):
    """On a full disk premium, frontier and stress printed the error alone and exit 1: their
    whole result was lost where solve prints its plan and says it was not written (faults audit)."""
    import contextlib
    import errno

    @contextlib.contextmanager
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
        yield

    policies = tmp_path / "policies.yaml"
    policies.write_text("local: {min_local_share: 0.5}\n", encoding="utf-8")
    monkeypatch.setattr(io, "atomic_folder", full)
    out = tmp_path / "report"
    args = [command[0], str(tiny_dir), *(str(policies) if a == "POLICIES" else a for a in command[1:])]
    code, data, err = run_json(capsys, *args, "--out", str(out))
    assert code == 1 and data["written"] is False and "No space left on device" in err
    assert "the results are printed (stdout) but were not written to a file" in err and not out.exists()
    assert data["status"] == "error" and set(data) >= ({"failures"} if command == ["stress"] else {"table"})


def test_folders_made_for_an_output_that_failed_are_removed(tmp_path):
    """--out a/b/plan on a run that failed or was stopped left a/b behind, empty (faults audit);
    folders made for a write that succeeds stay, and a folder that was there stays."""
    for writer in (io.atomic_folder, io.atomic_path):
        target = tmp_path / "made" / "deep" / "plan"
        with pytest.raises(KeyboardInterrupt), writer(target):
            raise KeyboardInterrupt
        assert not (tmp_path / "made").exists() and tmp_path.exists()
    with io.atomic_path(tmp_path / "kept" / "deep" / "plan.csv") as tmp:
        tmp.write_text("a\n", encoding="utf-8")
    assert (tmp_path / "kept" / "deep" / "plan.csv").read_text(encoding="utf-8") == "a\n"


def test_an_output_name_near_the_file_systems_limit_is_written(tmp_path: Path) -> None:
    """A legal 245-character name (the limit is 255) failed after the solve: its temporary added
    40 characters (portability audit). The temporaries of a long name are still swept."""
    long = tmp_path / ("q" * 245)
    io.write_network({"a": pd.DataFrame({"x": [1]})}, long)
    assert set(digest(long)) == {"a.csv"} and not temporaries(tmp_path)
    with io.atomic_path(tmp_path / ("r" * 245 + ".csv")) as tmp:
        tmp.write_text("x\n", encoding="utf-8")
        assert len(tmp.name) <= 255
    assert (tmp_path / ("r" * 245 + ".csv")).read_text(encoding="utf-8") == "x\n"
