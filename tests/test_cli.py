"""The ``resilient-sc`` command line, run in-process through ``main`` and once as a subprocess
(``tiny_dir``, tests/conftest.py: the tiny example as a CSV folder, optimal cost 1260 via S_CN
and H1)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from resilient_sc import NotOptimalError, RunWarning, Status, examples, read_network, solve
from resilient_sc.cli import main

from .published import PUBLISHED


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    """Exit code, the single JSON object on stdout, and stderr."""
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def edit_csv(path: Path, column: str, row: int, value: object) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---- solve ------------------------------------------------------------------------------
def test_solve_json(capsys, tiny_dir):
    code, data, _ = run_json(capsys, "solve", str(tiny_dir))
    assert code == 0
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(1260)
    assert data["suppliers"] == ["S_CN"] and data["hubs"] == ["H1"]
    assert data["breakdown"]["supplier_fixed"] == pytest.approx(200)


def test_solve_text(capsys, tiny_dir):
    assert main(["solve", str(tiny_dir)]) == 0
    out, err = capsys.readouterr()
    assert "status      optimal" in out and "1,260.00" in out
    assert "policy      no resilience policy (cost-optimal)" in out
    assert "error" not in err
    # a pasted summary says what it was solved under (it read the same with and without a policy)
    (tiny_dir.parent / "p.yaml").write_text("min_local_share: {Europe: 0.5}\nco2_price: 2\n",
                                            encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--policy", str(tiny_dir.parent / "p.yaml")]) == 0
    out, _ = capsys.readouterr()
    assert "policy      min_local_share {Europe: 0.5}, co2_price 2" in out


def test_solve_json_stdout_is_pure_json_in_a_subprocess(tiny_dir):
    """HiGHS prints its banner from C; it must land on stderr, not in the JSON."""
    proc = subprocess.run([sys.executable, "-m", "resilient_sc.cli", "solve", str(tiny_dir), "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["objective"] == pytest.approx(1260)


def test_infeasible_exits_1(capsys, tiny_dir):
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 0, "30")
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 1, "30")
    code, data, err = run_json(capsys, "solve", str(tiny_dir))
    assert code == 1
    assert data["status"] == "infeasible"
    assert data["reasons"] and data["reason"].startswith("no plan meets the data and policy")
    assert any("short by 20" in w for w in data["warnings"])
    assert "warning: (supplier_products) | product 'default'" in err
    assert "error: no plan meets the data and policy" in err


def test_a_failed_solve_says_its_out_was_not_written(capsys, tiny_dir, tmp_path):
    """A plan workbook of an earlier run stays where --out points when a solve finds no plan:
    said, so that it is not read as this run's (workbook audit)."""
    book = tmp_path / "plan.xlsx"
    assert run_json(capsys, "solve", str(tiny_dir), "--out", str(book))[0] == 0
    before = book.read_bytes()
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 0, "30")
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 1, "30")
    code, data, err = run_json(capsys, "solve", str(tiny_dir), "--out", str(book), "--force")
    assert code == 1 and data["out_untouched"] == str(book) and book.read_bytes() == before
    assert f"nothing was written to {book}: what is there was there before this run" in err
    target = tmp_path / "template"  # init's output is its target: said too (CLI audit)
    assert run_json(capsys, "init", str(target))[0] == 0
    code, data, err = run_json(capsys, "init", str(target))
    assert code == 2 and data["out_untouched"] == str(target)
    assert f"nothing was written to {target}: what is there was there before this run" in err


def test_bad_input_exits_2(capsys, tiny_dir):
    edit_csv(tiny_dir / "suppliers.csv", "country", 1, "XX")
    code, data, err = run_json(capsys, "solve", str(tiny_dir))
    assert code == 2
    assert data["status"] == "invalid_input"
    assert data["problems"] == ["(suppliers, row 3 'S_CN') | country 'XX' is not in countries"]
    assert err.startswith("error: 1 problem in the input data:")
    assert "Traceback" not in err


def test_missing_data_exits_2(capsys, tmp_path):
    code, data, _ = run_json(capsys, "solve", str(tmp_path / "nowhere"))
    assert code == 2 and data["status"] == "invalid_input"
    assert "no such file or folder" in data["reason"]


def test_bad_arguments_exit_2_with_json(capsys, tiny_dir):
    code, data, err = run_json(capsys, "solve", str(tiny_dir), "--threads", "many")
    assert code == 2 and data["status"] == "invalid_input"
    assert "--threads" in data["reason"] and "usage:" in err


def test_bad_option_value_exits_2(capsys, tiny_dir):
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--gap", "1.5")
    assert code == 2 and "--gap: '1.5': give a relative gap in [0, 1)" in data["reason"]
    # the problems list of every invalid input (docs/cli.md), which argument errors lacked
    assert data["problems"] == ["(--gap) | '1.5': give a relative gap in [0, 1), e.g. 0.01"]
    code, data, _ = run_json(capsys, "premium", str(tiny_dir))
    assert code == 2 and data["problems"] == ["(--policies) | required: give it"]


def test_time_limit_without_plan(capsys, tiny_dir, monkeypatch):
    def stopped(*args, **kwargs):
        raise NotOptimalError("no plan: the time limit was reached before any feasible plan was found")

    monkeypatch.setattr(sys.modules["resilient_sc.optimize"], "solve", stopped)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--time-limit", "1")
    assert code == 1
    assert data == {"status": "time_limit", "reason": "no plan: the time limit was reached before any "
                                                      "feasible plan was found"}


def test_the_command_line_names_its_flags_not_the_python_options(capsys, tiny_dir, monkeypatch):
    """The library's advice names the Python option and the flag; the command line, the flag."""
    def stopped(*args, **kwargs):
        warnings.warn("a close plan: solve with mip_gap=1e-08 (CLI: --gap 1e-08)", RunWarning, stacklevel=1)
        raise NotOptimalError("no plan: the time limit was reached; raise SolveOptions.time_limit "
                              "(CLI: --time-limit), or pass SolveOptions(allow_nonoptimal=True) "
                              "(CLI: --allow-nonoptimal)")

    monkeypatch.setattr(sys.modules["resilient_sc.optimize"], "solve", stopped)
    code, data, err = run_json(capsys, "solve", str(tiny_dir), "--time-limit", "1")
    said = "no plan: the time limit was reached; raise --time-limit, or pass --allow-nonoptimal"
    assert code == 1 and data["reason"] == said and f"error: {said}" in err
    close = "a close plan: solve with --gap 1e-08"
    assert data["warnings"] == [close] and f"warning: {close}" in err
    assert "SolveOptions" not in err + str(data)


def time_limited_plan():
    """The tiny plan relabelled as stopped by the time limit with a 5% gap."""
    return dataclasses.replace(solve(examples.tiny()), status=Status.TIME_LIMIT, gap=0.05)


def test_time_limit_with_plan(capsys, tiny_dir, monkeypatch):
    plan = time_limited_plan()

    def stopped(*args, **kwargs):
        raise NotOptimalError("not proven optimal: the time limit was reached", plan)

    monkeypatch.setattr(sys.modules["resilient_sc.optimize"], "solve", stopped)
    code, data, err = run_json(capsys, "solve", str(tiny_dir), "--time-limit", "1")
    assert code == 1
    assert data["status"] == "time_limit"
    assert data["reason"].startswith("not proven optimal")
    assert data["objective"] == pytest.approx(1260) and data["gap"] == pytest.approx(0.05)
    assert "error: not proven optimal" in err


def test_allow_nonoptimal_prints_and_saves_the_plan_but_exits_1(capsys, tiny_dir, tmp_path, monkeypatch):
    seen = {}

    def stopped(network, policy, options):
        seen["options"] = options
        return time_limited_plan()

    monkeypatch.setattr(sys.modules["resilient_sc.optimize"], "solve", stopped)
    out = tmp_path / "plan"
    argv = ["solve", str(tiny_dir), "--time-limit", "2.5", "--gap", "0.01", "--threads", "1",
            "--allow-nonoptimal", "--out", str(out)]
    assert main(argv) == 1
    stdout, err = capsys.readouterr()
    assert "status      time_limit" in stdout
    assert "warning: the plan is not proven optimal: time limit, gap 5.0000%" in err
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["status"] == "time_limit"
    opts = seen["options"]
    assert (opts.time_limit, opts.mip_gap, opts.threads, opts.allow_nonoptimal) == (2.5, 0.01, 1, True)


def test_a_stress_test_of_a_design_not_proven_optimal_says_so(capsys, tiny_dir, tmp_path, monkeypatch):
    optimize = sys.modules["resilient_sc.optimize"]
    real = optimize.solve
    monkeypatch.setattr(optimize, "solve", lambda network, policy, options: dataclasses.replace(
        real(network, policy), status=Status.TIME_LIMIT, gap=0.05))
    out = tmp_path / "stress"
    assert main(["stress", str(tiny_dir), "--allow-nonoptimal", "--out", str(out)]) == 0
    stdout, err = capsys.readouterr()
    assert ("The design (the best found within the limits of the solve; not proven optimal: time limit, gap "
            "5.0000%; a cheaper design may exist) contracts 1 supplier") in stdout
    assert "warning: the design stress-tested is not proven optimal: time limit, gap 5.0000%" in err
    assert "not proven optimal: time limit, gap 5.0000%" in (out / "report.md").read_text(encoding="utf-8")


def test_out_folder_writes_plan_and_leaves_input_untouched(capsys, tiny_dir, tmp_path):
    before = digest(tiny_dir)
    out = tmp_path / "plan"
    assert main(["solve", str(tiny_dir), "--out", str(out)]) == 0
    assert digest(tiny_dir) == before
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["objective"] == pytest.approx(1260)
    assert pd.read_csv(out / "suppliers_contracted.csv")["supplier"].tolist() == ["S_CN"]
    assert "plan written to" in capsys.readouterr().out


def test_out_into_the_input_folder_is_refused(tiny_dir):
    before = digest(tiny_dir)
    for out in (tiny_dir, tiny_dir / "plan"):
        assert main(["solve", str(tiny_dir), "--out", str(out), "--force"]) == 2
    assert digest(tiny_dir) == before


def test_out_xlsx(capsys, tiny_dir, tmp_path):
    out = tmp_path / "plan.xlsx"
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", str(out))
    assert code == 0 and data["out"] == str(out)
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"summary", "suppliers_contracted", "hubs_opened"} <= set(sheets)
    assert sheets["hubs_opened"]["hub"].tolist() == ["H1"]


def test_solve_xlsx_input(capsys, tmp_path):
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name, df in examples.tiny().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    code, data, _ = run_json(capsys, "solve", str(book))
    assert code == 0 and data["objective"] == pytest.approx(1260)
    code, data, _ = run_json(capsys, "solve", str(book), "--out", str(book))
    assert code == 2 and "input workbook" in data["reason"]


def test_log_file(tiny_dir, tmp_path):
    """The log of the run, replacing an earlier file: HiGHS appends to its log file, and two runs
    (or a planner's notes under that name) read as one log."""
    log = tmp_path / "highs.log"
    assert main(["solve", str(tiny_dir), "--log", str(log)]) == 0
    first = log.read_text(encoding="utf-8")
    assert "HiGHS" in first
    log.write_text("my notes\n" + first, encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--log", str(log)]) == 0
    again = log.read_text(encoding="utf-8")
    assert "my notes" not in again and again.count("HiGHS run time") == first.count("HiGHS run time") > 0


def test_output_paths_through_a_loop_of_symbolic_links_are_bad_input(capsys, tiny_dir, tmp_path):
    """Path.resolve raised RuntimeError ('Symlink loop') on Python 3.11: an internal error, exit 1."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    for args in (["--out", str(tmp_path / "a" / "plan")], ["--log", str(tmp_path / "a" / "x.log")],
                 ["--out", str(tmp_path / ("n" * 300))]):
        code, data, _ = run_json(capsys, "solve", str(tiny_dir), *args)
        assert code == 2 and data["status"] == "invalid_input", data
        assert f"({args[0]}) | cannot write {args[1]}: " in data["reason"]
    assert "a loop of symbolic links" in run_json(capsys, "init", str(tmp_path / "a"))[1]["reason"]


# ---- policy -----------------------------------------------------------------------------
def test_policy_file(capsys, tiny_dir, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("min_suppliers: 2\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--policy", str(policy))
    assert code == 0
    assert sorted(data["suppliers"]) == ["S_CN", "S_FR"]
    assert data["policy"] == {"min_suppliers": 2}


def test_policy_unknown_key_exits_2(capsys, tiny_dir, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("min_supplierz: 2\n", encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--policy", str(policy)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "unknown field 'min_supplierz'" in err


def test_policy_bad_suffix_exits_2(capsys, tiny_dir, tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("min_suppliers: 2\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--policy", str(policy))
    assert code == 2 and ".yaml" in data["reason"]


# ---- debug ------------------------------------------------------------------------------
def test_traceback_only_with_debug(capsys, tiny_dir):
    edit_csv(tiny_dir / "suppliers.csv", "country", 1, "XX")
    assert main(["solve", str(tiny_dir)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: ")
    assert main(["solve", str(tiny_dir), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ValidationError" in err


def test_internal_error_is_one_line_without_debug(capsys, tiny_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sys.modules["resilient_sc.optimize"], "solve", broken)
    assert main(["solve", str(tiny_dir)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("error: internal error: RuntimeError: boom "
                           "(rerun with --debug for the traceback)")
    assert main(["solve", str(tiny_dir), "--debug"]) == 1  # the traceback printed: not asked for again
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("error: internal error: RuntimeError: boom")


# ---- validate ---------------------------------------------------------------------------
def test_validate(capsys, tiny_dir):
    assert main(["validate", str(tiny_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "valid: Network(2 suppliers, 1 hub, 1 market, 1 product, 2 countries)"
    assert err == ""


def test_validate_warnings_on_stderr(capsys, tiny_dir):
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 0, "30")
    edit_csv(tiny_dir / "supplier_products.csv", "capacity", 1, "30")
    assert main(["validate", str(tiny_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("valid: ")
    assert "warning: " in err and "short by 20" in err


def test_a_warning_of_another_kind_says_its_kind(capsys, tiny_dir, monkeypatch):
    """A numpy warning raised from the library's own code printed as if the library had said it
    ("warning: divide by zero encountered in divide"): only the library's own warnings
    (DataWarning, RunWarning) print bare."""
    import numpy as np

    from resilient_sc import cli

    divide = compile("np.ones(1) / np.zeros(1)", cli.__file__, "eval")  # as if in the library's code

    def validate(args):
        eval(divide, {"np": np})
        return real(args)

    real = cli.COMMANDS["validate"].run
    monkeypatch.setitem(cli.COMMANDS, "validate", dataclasses.replace(cli.COMMANDS["validate"], run=validate))
    with np.errstate(divide="warn"):
        assert main(["validate", str(tiny_dir)]) == 0
    assert "warning: RuntimeWarning: divide by zero encountered in divide" in capsys.readouterr().err


def test_validate_invalid_exits_2(capsys, tiny_dir):
    edit_csv(tiny_dir / "suppliers.csv", "country", 1, "XX")
    edit_csv(tiny_dir / "demand.csv", "demand", 0, "lots")
    assert main(["validate", str(tiny_dir)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "(demand, row 2 'Paris, default') | demand 'lots' is not a number" in err


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["solve", "--help"]) == 0
    assert "--allow-nonoptimal" in capsys.readouterr().out


def test_help_with_json_is_one_json_object(capsys):
    """With --json, stdout is one JSON object whatever the outcome: --help printed plain text."""
    for argv in (["solve", "--help"], ["--version"]):
        code, data, _ = run_json(capsys, *argv)
        assert code == 0 and data["status"] == "help" and "resilient-sc" in data["text"]


# ---- orlib ------------------------------------------------------------------------------
def test_orlib_roundtrip(capsys, orlib_dir, tmp_path):
    out = tmp_path / "cap41"
    assert main(["orlib", str(orlib_dir / "cap41.txt"), "--out", str(out)]) == 0
    assert not (out / "tariffs.csv").exists() and not (out / "disruptions.csv").exists()
    net = read_network(out)
    assert len(net.hubs) == 16 and len(net.markets) == 50
    assert solve(net).objective == pytest.approx(PUBLISHED["cap41"], rel=1e-6)


def test_orlib_open_capacity_needs_capacity(capsys, orlib_dir, tmp_path):
    if not (orlib_dir / "capa.txt").exists():
        pytest.skip("capa.txt is not present")
    code, data, _ = run_json(capsys, "orlib", str(orlib_dir / "capa.txt"), "--out", str(tmp_path / "a"))
    assert code == 2 and "--capacity" in data["reason"]


def test_orlib_capacity_is_refused_where_the_file_gives_its_own(capsys, tmp_path):
    # capacity 50, fixed 10; demand 5, cost 3
    (tmp_path / "cap01.txt").write_text("1 1\n50 10\n5 3\n", encoding="utf-8")
    (tmp_path / "p01").write_text("1 1\n50 10\n5\n3\n", encoding="utf-8")
    for name, words in (("cap01.txt", "--capacity is only for capa/capb/capc"),
                        ("p01", "a Holmberg file gives each warehouse's capacity")):
        code, data, _ = run_json(capsys, "orlib", str(tmp_path / name), "--capacity", "5",
                                 "--out", str(tmp_path / "o"))
        assert code == 2 and words in data["reason"] and not (tmp_path / "o").exists()
    assert main(["orlib", str(tmp_path / "p01"), "--out", str(tmp_path / "o")]) == 0
    assert "single-source instance: solve it with a policy of single_sourcing" in capsys.readouterr().out
    assert read_network(tmp_path / "o").hubs["capacity"].tolist() == [50.0]
    (tmp_path / "p01").rename(tmp_path / "holmberg01")
    code, data, _ = run_json(capsys, "orlib", str(tmp_path / "holmberg01"), "--out", str(tmp_path / "h"))
    assert code == 2 and "the name tells neither format" in data["reason"]
    renamed = str(tmp_path / "holmberg01")
    code, data, _ = run_json(capsys, "orlib", renamed, "--format", "holmberg", "--out", str(tmp_path / "h"))
    assert code == 0 and data["single_source"] is True  # the text's hint, in --json too
    code, data, _ = run_json(capsys, "orlib", str(tmp_path / "cap01.txt"), "--out", str(tmp_path / "c"))
    assert code == 0 and data["single_source"] is False


def test_orlib_of_a_fifo_or_a_device_says_what_it_is(capsys, tmp_path):
    """Both were 'no such file'; the data and policy readers said what they were."""
    import os

    os.mkfifo(tmp_path / "cap_f.txt")
    (tmp_path / "cap_z.txt").symlink_to("/dev/zero")
    for name, what in (("cap_f.txt", "a FIFO"), ("cap_z.txt", "a device")):
        code, data, _ = run_json(capsys, "orlib", str(tmp_path / name), "--out", str(tmp_path / "o"))
        assert code == 2 and f"({name}) | {name} is {what}, not a regular file" in data["reason"]


def test_orlib_of_a_folder_says_so_and_options_are_never_abbreviated(capsys, tmp_path):
    code, data, _ = run_json(capsys, "orlib", str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 2 and data["problems"] == [f"({tmp_path}) | a folder: give an OR-Library cap*.txt or "
                                              "Holmberg p* file"]
    assert main(["validate", str(tmp_path), "--js"]) == 2  # not --json: its outcome would not be JSON
    assert "unrecognized arguments: --js" in capsys.readouterr().err


def test_a_misspelt_command_or_option_is_told_what_was_meant(capsys):
    """'--polcy' got the top-level usage and no hint; '--json' before the command and 'solv' too."""
    data = "examples/electronics"  # not read: the arguments are refused first
    for argv, said in ((["solve", data, "--polcy", "p.yaml"], "resilient-sc solve: unrecognized arguments: "
                        "--polcy p.yaml (did you mean --policy?)"),
                       (["solve", data, "--tim", "3"], "(did you mean --time-limit?)"),
                       (["--json", "solve", data], "unrecognized arguments: --json (an option of "
                        "'resilient-sc solve' goes after the command: resilient-sc solve … --json)"),
                       (["solv", data], "invalid choice: 'solv' (choose from 'init', 'validate', 'solve', "
                        "'orlib', 'stress', 'premium', 'frontier', 'app') (did you mean 'solve'?)")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert said in err, err
        assert err.startswith("usage: resilient-sc" + (" solve" if argv[0] != "solv" else " [-h]")), err


def test_an_option_given_twice_is_refused_not_taken_last(capsys):
    """'--policy a.yaml --policy b.yaml' solved b alone, exit 0 (policies audit); a switch given
    twice means what it means once."""
    data = "examples/electronics"  # not read: the arguments are refused first
    for argv, said in ((["solve", data, "--policy", "a.yaml", "--policy", "b.yaml"],
                        "(--policy) | given twice (a.yaml and b.yaml): give it once"),
                       (["frontier", data, "--field", "co2_cap", "--values", "1,2", "--values", "3"],
                        "(--values) | given twice (1,2 and 3)")):
        code, out, _ = run_json(capsys, *argv)
        assert code == 2 and out["problems"][0].startswith(said), out
    assert main(["validate", data, "--json", "--json"]) == 0


def test_orlib_missing_file_exits_2(capsys, tmp_path):
    code, data, _ = run_json(capsys, "orlib", str(tmp_path / "cap99.txt"), "--out", str(tmp_path / "o"))
    assert code == 2 and "no such file" in data["reason"]


# ---- analyses -----------------------------------------------------------------------------
def test_cli_stress(capsys, tiny_dir, tmp_path):
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--failures", "supplier,hub",
                             "--penalty", "100", "--out", str(tmp_path / "out"))
    assert code == 0 and data["status"] == "ok"
    assert data["plan"]["objective"] == pytest.approx(1260.0) and data["penalties"] == {"default": 100.0}
    assert {f["failure"] for f in data["failures"]} == {"supplier:S_CN", "hub:H1"}
    assert data["summary"]["worst_served"] == 0.0
    lost = next(f for f in data["failures"] if f["failure"] == "supplier:S_CN")
    assert lost["worst_served"] == 0.0 and lost["served_by_product"] == {"default": 0.0}
    assert lost["shortfall_cost"] == pytest.approx(80 * 100.0) and lost["extra_cost"] < 0
    assert lost["shortfalls"] == [
        {"market": "Paris", "product": "default", "demand": 80.0, "shortfall": 80.0, "unit": "units"}]
    assert "report.md" in data["files"] and (tmp_path / "out" / "report.md").is_file()
    assert main(["stress", str(tiny_dir), "--failures", "country,volcano"]) == 2
    assert "--failures: 'country,volcano'" in capsys.readouterr().err
    assert main(["stress", str(tiny_dir), "--failures", "supplier"]) == 0
    out = capsys.readouterr().out
    assert "The worst is supplier:S_CN: some market gets none of its demand of some product" in out
    assert "# Stress test of the cost-optimal design (no resilience policy)" in out


def test_cli_stress_prices_each_product_of_a_penalty_mapping(capsys):
    """--penalty takes a YAML mapping product → money per unit short, for products counted in
    different units; a product left out is named."""
    data = str(Path(__file__).resolve().parents[1] / "examples" / "electronics")
    code, out, _ = run_json(capsys, "stress", data, "--failures", "country",
                            "--penalty", "{chips: 0.3, cells: 120, displays: 500}")
    assert code == 0 and out["penalties"] == {"cells": 120.0, "chips": 0.3, "displays": 500.0}
    code, out, _ = run_json(capsys, "stress", data, "--penalty", "{chips: 0.3}")
    assert code == 2 and "no money per unit short for product cells" in out["reason"]


def test_cli_premium(capsys, tiny_dir, tmp_path):
    policies = tmp_path / "policies.yaml"
    policies.write_text("base: {}\nnear: {min_local_share: 0.5}\n"
                        "impossible: {excluded_countries: [FR, CN]}\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies),
                             "--workers", "1", "--out", str(tmp_path / "out"))
    assert code == 0 and data["status"] == "ok"
    rows = {r["policy"]: r for r in data["table"]}
    assert rows["near"]["premium_pct"] == pytest.approx(100 * 460 / 1260)
    assert rows["impossible"]["status"] == "infeasible" and rows["impossible"]["cost"] is None
    assert type(rows["near"]["n_suppliers"]) is int and rows["impossible"]["n_suppliers"] is None  # not 1.0
    assert "premium.png" in data["files"]
    csv_rows = (tmp_path / "out" / "premium.csv").read_text(encoding="utf-8").splitlines()
    n_hubs = csv_rows[0].split(",").index("n_hubs")
    assert [r.split(",")[n_hubs] for r in csv_rows[1:3]] == ["1", "1"]
    assert "near (min_local_share 0.5) costs 36.5% more" in (tmp_path / "out" / "report.md").read_text(
        encoding="utf-8")
    # --no-figures: the report without its PNGs, as the API's figures=False (there was no switch)
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies), "--workers", "1",
                             "--out", str(tmp_path / "bare"), "--no-figures")
    assert code == 0 and not [f for f in data["files"] if f.endswith(".png")]
    assert not list((tmp_path / "bare").glob("*.png")) and (tmp_path / "bare" / "premium.csv").is_file()
    assert "](premium.png)" not in (tmp_path / "bare" / "report.md").read_text(encoding="utf-8")

    assert main(["premium", str(tiny_dir), "--policies", str(policies), "--workers", "1"]) == 0
    said = capsys.readouterr().out  # the table's two service columns, and what the expectation is given
    assert ("worst_served: the fraction of demand every market and product still gets under the design's "
            "worst failure replayed (rounded down); expected_value_served: the fraction of the demand's "
            "value served, averaged over each design's own failures (expected_conditional_on in "
            "premium.csv says which: a design with more suppliers or hubs has more failures to replay, "
            "so the averages are not over the same set) (blank: product 'default' has no unit_value, so "
            "the demand has no value to weigh: give every product its unit_value in the products table "
            "for this figure).") in said  # base: 4 failures, near: 3

    policies.write_text("base: {excluded_countries: [FR, CN]}\nnear: {min_local_share: 0.5}\n",
                        encoding="utf-8")
    assert main(["premium", str(tiny_dir), "--policies", str(policies)]) == 1
    assert "no plan meets the data and policy" in capsys.readouterr().err
    policies.write_text("near: {min_local_share: 1.5}\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies))
    assert code == 2 and "min_local_share == 1.5" in data["reason"] and "'near'" in data["reason"]


@pytest.mark.parametrize("text", ["", "base: {}\n", "base: {min_hubs: 1}\n"])
def test_cli_premium_without_a_policy_to_compare(capsys, tiny_dir, tmp_path, text):
    """A file that names no policy but the base printed the base alone, as if that were a comparison."""
    policies = tmp_path / "policies.yaml"
    policies.write_text(text, encoding="utf-8")
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies))
    assert code == 2 and data["reason"] == (
        f"policies file {policies}: 1 problem:\n  - (policies) | policies.yaml names no policy to "
        "compare with the base (an entry 'base' is the base); add one, e.g. 'near_shoring: "
        "{min_local_share: 0.5}'")


def test_cli_solve_with_bad_input_creates_no_log_folder(capsys, tiny_dir, tmp_path):
    log = tmp_path / "logs" / "a" / "b.txt"
    (tmp_path / "policy.yaml").write_text("excluded_countries: [XX]\n", encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--policy", str(tmp_path / "policy.yaml"), "--log", str(log)]) == 2
    assert "excluded_countries contains 'XX', not a country of the data" in capsys.readouterr().err
    edit_csv(tiny_dir / "hubs.csv", "capacity", 0, "-1")
    assert main(["solve", str(tiny_dir), "--log", str(log)]) == 2
    assert "capacity -1 must be >= 0" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


def test_cli_solve_that_fails_leaves_no_earlier_runs_log(capsys, tiny_dir, tmp_path):
    """An earlier run's solver log stayed in place when a later run failed before solving (a bad
    policy, Ctrl-C while reading): read as this run's (CLI audit). An existing log is emptied
    first; none is made for bad input."""
    log = tmp_path / "highs.log"
    assert main(["solve", str(tiny_dir), "--log", str(log)]) == 0 and log.read_text(encoding="utf-8").strip()
    (tmp_path / "policy.yaml").write_text("excluded_countries: [XX]\n", encoding="utf-8")
    assert main(["solve", str(tiny_dir), "--policy", str(tmp_path / "policy.yaml"), "--log", str(log)]) == 2
    capsys.readouterr()
    assert log.read_bytes() == b""


def test_cli_frontier(capsys, tiny_dir, tmp_path):
    code, data, _ = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share",
                             "--values", "0,0.5,1", "--no-warm-start", "--workers", "1",
                             "--out", str(tmp_path / "out"))
    assert code == 0 and data["field"] == "min_local_share"
    assert [r["cost"] for r in data["table"]] == pytest.approx([1260.0, 1720.0, 1720.0])
    assert (tmp_path / "out" / "frontier.png").is_file()
    code, data, _ = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_shar", "--values", "0")
    assert code == 2 and "unknown policy field" in data["reason"]
    assert data["reason"].startswith("1 problem in the command's arguments:")  # not "in the input data"
    code, data, _ = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share",
                             "--values", "0,2")
    assert code == 2 and "min_local_share == 2" in data["reason"]


def test_cli_frontier_replays_the_failures_asked_for(capsys):
    """worst_served of a frontier replayed country failures only, that of premium every kind: the
    same column, two scopes; --failures says which (single failures: no scenarios, no roadmap)."""
    data = str(Path(__file__).resolve().parents[1] / "examples" / "electronics")
    code, out, _ = run_json(capsys, "frontier", data, "--field", "min_local_share", "--values", "0.5",
                            "--failures", "country,hub,supplier")
    assert code == 0 and out["table"][0]["worst_failure"] == "hub:H_Monterrey"  # a hub: not a country's
    code, out, _ = run_json(capsys, "frontier", data, "--field", "min_local_share", "--values", "0.5")
    assert code == 0 and out["table"][0]["worst_failure"].startswith("country:")
    code, out, _ = run_json(capsys, "frontier", data, "--field", "min_local_share", "--values", "0.5",
                            "--failures", "scenario")
    assert code == 2 and "a frontier replays single failures only" in out["reason"]
    for kinds in ("hub", "country"):  # 'country', the single-period default, was accepted without a word
        code, out, _ = run_json(capsys, "frontier", data + "_roadmap", "--field", "min_local_share",
                                "--values", "0.5", "--failures", kinds)
        assert code == 2 and "(--failures) | a roadmap's frontier replays no failures" in out["reason"]


def test_cli_frontier_values_as_a_yaml_list(capsys, tiny_dir):
    """Values holding commas (a mapping per region) are given as a YAML list; comma-separated
    text cut '{Europe: 0.5}' into pieces."""
    code, data, _ = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share",
                             "--values", "[{Europe: 0}, {Europe: 0.5}]", "--workers", "1")
    assert code == 0 and [r["cost"] for r in data["table"]] == pytest.approx([1260.0, 1720.0])
    code, data, _ = run_json(capsys, "frontier", str(tiny_dir), "--field", "min_local_share",
                             "--values", "[]")
    assert code == 2 and "a YAML list" in data["reason"]


def test_analyses_take_a_time_limit_per_solve(capsys, tiny_dir, tmp_path, monkeypatch):
    """premium, frontier and stress pass --time-limit and --allow-nonoptimal to every solve (a
    planner's large network needs them); without either the solves keep the defaults."""
    import argparse
    import importlib

    from resilient_sc.cli_args import analysis_options

    premium_module = importlib.import_module("resilient_sc.analysis.premium")
    seen = []
    solve = premium_module.solve
    monkeypatch.setattr(premium_module, "solve",
                        lambda net, pol, opts: seen.append(opts) or solve(net, pol, opts))
    policies = tmp_path / "policies.yaml"
    policies.write_text("near: {min_local_share: 0.5}\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies), "--workers", "1",
                             "--time-limit", "30", "--allow-nonoptimal")
    assert code == 0 and [r["status"] for r in data["table"]] == ["optimal", "optimal"]
    assert [(o.time_limit, o.allow_nonoptimal) for o in seen] == [(30.0, True)] * 2
    assert analysis_options(argparse.Namespace(time_limit=None, allow_nonoptimal=False, threads=None)) is None
    for command in ("frontier", "stress"):
        said = cli_help(capsys, command)
        assert "--time-limit S" in said and "--allow-nonoptimal" in said


def cli_help(capsys, command: str) -> str:
    assert main([command, "--help"]) == 0
    return capsys.readouterr().out


def test_stress_failures_say_whether_scenarios_are_replayed(capsys):
    """``--failures hub`` replayed the disruptions table's country and supplier scenarios too;
    ``scenario`` is a kind of its own, in the default."""
    example = Path(__file__).resolve().parents[1] / "examples" / "electronics"
    runs = {}
    for kinds in ("hub", "hub,scenario", None):
        argv = ["stress", str(example), *(["--failures", kinds] if kinds else [])]
        code, data, _ = run_json(capsys, *argv)
        assert code == 0
        runs[kinds] = {f["failure"].split(":")[0] for f in data["failures"]}
    assert runs == {"hub": {"hub"}, "hub,scenario": {"hub", "scenario"},
                    None: {"country", "hub", "supplier", "scenario"}}


def test_a_report_row_not_proven_is_a_warning_in_the_json_too():
    """A premium row stopped by its time limit was warned of on stderr only: a program reading
    --json saw no word of it (json audit)."""
    from resilient_sc.cli import _report_outcome

    outcome = _report_outcome({"status": "ok", "table": [{"policy": "base", "status": "optimal"},
                                                          {"policy": "near", "status": "time_limit",
                                                           "gap": 0.1181}]}, "", None)
    assert outcome.data["warnings"] == ["1 row not proven optimal, said in its status: near (time_limit, "
                                        "gap 11.8100%)"]
    assert outcome.warning == outcome.data["warnings"][0]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's read-only /proc as a home")
def test_a_read_only_home_prints_no_matplotlib_advice(tiny_dir, tmp_path):
    """With a home nobody can write to (a container's), matplotlib made a temporary folder and
    said so on stderr in two lines of advice on MPLCONFIGDIR, read as the command's: the command
    gives matplotlib a temporary folder itself, removed at its end."""
    import os

    own = ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    env = {k: v for k, v in os.environ.items() if k not in own} | {"HOME": "/proc"}  # root cannot write there
    command = [sys.executable, "-m", "resilient_sc", "stress", str(tiny_dir), "--out", str(tmp_path / "o")]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "atplotlib" not in run.stderr and (tmp_path / "o" / "stress_served.png").is_file()


def test_an_ascii_stdout_gets_escaped_ids_not_a_traceback(tmp_path):
    """Run by a program whose pipe is ASCII (or cp1252), a plan naming 'H_Köln' ended in a
    UnicodeEncodeError traceback and exit 1 after the plan was written: the id is escaped."""
    import os

    from resilient_sc.io import write_network

    net = examples.tiny()
    renamed = {"H1": "H_Köln"}
    data = tmp_path / "data"
    write_network(net.replace(hubs=net.hubs.replace(renamed), lanes=net.lanes.replace(renamed)), data)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    run = subprocess.run([sys.executable, "-m", "resilient_sc", "solve", str(data)], env=env,
                         capture_output=True, timeout=120)
    assert run.returncode == 0 and b"Traceback" not in run.stderr
    assert b"hubs        1: H_K\\xf6ln" in run.stdout


def test_stress_of_scenarios_alone_on_data_without_any_is_bad_arguments(capsys, tiny_dir):
    """'--failures scenario' on data without a disruptions table solved the design, then exited
    1 with status 'error' naming the Python function: it is refused first, as bad arguments."""
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--failures", "scenario")
    assert code == 2 and data["status"] == "invalid_input"
    assert data["problems"] == ["(--failures) | 'scenario' replays the disruptions table's scenarios, but "
                                "the data has none: add a disruptions table, or name country, hub or "
                                "supplier"]


def test_scenarios_named_beside_failures_on_data_without_any_are_warned_of(capsys, tiny_dir):
    """'--failures hub,scenario' on such data replayed the hub failures alone without a word
    (CLI automation audit); the default, which holds the scenarios where there are some, is quiet."""
    code, data, _ = run_json(capsys, "stress", str(tiny_dir), "--failures", "hub,scenario")
    assert code == 0 and data["warnings"] == [
        "(--failures) | 'scenario' replays the disruptions table's scenarios, but the data has none: the "
        "failures of hub are replayed alone"]
    code, data, _ = run_json(capsys, "stress", str(tiny_dir))
    assert code == 0 and not data.get("warnings")


def test_a_tables_rows_and_the_text_name_the_flags_too():
    """A premium's or frontier's row stopped at the time limit kept 'pass SolveOptions(
    allow_nonoptimal=True) (CLI: --allow-nonoptimal)' in --json and in the printed table, where
    the top-level reason named the flag."""
    from resilient_sc.cli_outcome import Outcome, in_cli_words

    advice = "raise SolveOptions.time_limit (CLI: --time-limit)"
    out = in_cli_words(Outcome(1, {"status": "ok", "table": [{"policy": "near", "reason": advice,
                                                               "note": advice}]}, text=f"near: {advice}"))
    assert out.data["table"] == [{"policy": "near", "reason": "raise --time-limit", "note": advice}]
    assert out.text == "near: raise --time-limit"


def test_the_files_the_command_writes_name_the_flags_too(capsys, tiny_dir, tmp_path, monkeypatch):
    """premium.csv and report.md kept a row's 'raise SolveOptions.time_limit (CLI: --time-limit)'
    where the command printed '--time-limit'."""
    premium_module = sys.modules["resilient_sc.analysis.premium"]
    real = premium_module.solve

    def stopped(network, policy, options):
        if policy.min_local_share:
            raise NotOptimalError("no plan: the time limit was reached; raise SolveOptions.time_limit "
                                  "(CLI: --time-limit)")
        return real(network, policy, options)

    monkeypatch.setattr(premium_module, "solve", stopped)
    policies = tmp_path / "policies.yaml"
    policies.write_text("base: {}\nnear: {min_local_share: 0.5}\n", encoding="utf-8")
    code, data, _ = run_json(capsys, "premium", str(tiny_dir), "--policies", str(policies),
                             "--workers", "1", "--out", str(tmp_path / "out"))
    assert code == 0
    said = "no plan: the time limit was reached; raise --time-limit"
    assert [r["reason"] for r in data["table"]] == ["", said]
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()
                      if p.suffix in (".csv", ".md"))
    assert said in written and "SolveOptions" not in written


def test_an_out_of_dash_is_refused_not_a_folder_named_dash(capsys, tiny_dir, tmp_path, monkeypatch):
    """'--log -' is stderr, but '--out -' quietly made a folder named '-'."""
    monkeypatch.chdir(tmp_path)
    code, data, _ = run_json(capsys, "solve", str(tiny_dir), "--out", "-")
    said = ("(--out) | '-' is not an output here (--out writes files; --json prints the results to stdout): "
            "give a path")
    assert code == 2 and data["problems"] == [said]
    assert not (tmp_path / "-").exists()


def test_the_analyses_take_threads_for_the_same_plans_on_every_machine(capsys):
    """premium, stress and frontier had no --threads: their reports changed with the machine's CPU
    count (a frontier point's local share 0.567 on one CPU, 0.583 on two: reproducibility audit)."""
    data = str(examples.electronics_path())
    sweep = ["frontier", data, "--field", "min_local_share", "--values", "0,0.25"]
    for command in (["stress", data, "--failures", "country"], sweep):
        capsys.readouterr()
        assert main([*command, "--threads", "1", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "ok"
    one = main(["stress", data, "--failures", "country", "--threads", "1", "--json"])
    assert one == 0 and json.loads(capsys.readouterr().out)["plan"]["report"]["settings"]["threads"] == 1
