"""The web app's logic without a browser (resilient_sc/app): sessions per tab, uploads and
their problems by table/row/column, policies from the controls and policy files, solves and
stress tests in processes of their own (stop, infeasible), the premium table and the plan
workbook; roadmaps (data with periods: the glide path solved with the cost-optimal path,
the roadmap table and timeline, period keys in the policy grid, path premiums, the roadmap
workbook and report). The pages themselves are driven in a real browser by tests/browser
(-m browser)."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import openpyxl
import pandas as pd
import pytest

from resilient_sc import DataWarning, Network, Policy, examples, solve, solve_roadmap
from resilient_sc.analysis import stress_test
from resilient_sc.app import MISSING, add_arguments
from resilient_sc.app.compare_page import (
    PATH_COLUMNS,
    PREMIUM_COLUMNS,
    any_frontier_figure,
    frontier_figure,
    outcomes,
    premium_bars,
    premium_frame,
    premium_legend,
    premium_rows,
    reference_words,
    sweep_values,
)
from resilient_sc.app.data_page import (
    edited_workbook,
    grid_rows,
    periods_text,
    read_upload,
    template_network,
    unzip_tables,
)
from resilient_sc.app.export import figures, figures_html, plan_workbook, report_zip
from resilient_sc.app.jobs import Job
from resilient_sc.app.policy_page import (
    controls_of,
    key_help,
    key_rows,
    load_policy,
    network_keys,
    policy_of,
    policy_yaml,
)
from resilient_sc.app.roadmap_view import (
    TIMELINE_WORDS,
    cost_optimal_path,
    premium_text,
    roadmap_rows,
    timeline_figure,
    total_text,
)
from resilient_sc.app.solve_page import (
    LOG_SAMPLE,
    ROUNDS,
    ROUNDS_STOPPED,
    log_progress,
    outcome_text,
    progress_text,
    scenario_name,
)
from resilient_sc.app.state import EXAMPLE, GLIDE_PATH, Scenario, Session, glide_path, problem_rows
from resilient_sc.app.stress_view import (
    FAILURE_COLUMNS,
    heatmap_width,
    served_heatmap,
    shown_period,
    stress_legend,
    worst_failures,
)
from resilient_sc.app.ui import pending_words
from resilient_sc.exceptions import ValidationError
from resilient_sc.format import column_label, money_label
from resilient_sc.io import write_excel, write_tables
from resilient_sc.periods import in_period
from resilient_sc.solvers.base import SolveOptions

from .cases import default_signals


@pytest.fixture(scope="module")
def base_plan():
    return solve(examples.electronics())


def test_sessions_are_separate(base_plan):
    a, b = Session.example(), Session.example()
    a.add_scenario("base", Policy(), base_plan)
    assert b.scenarios == {} and a.workdir != b.workdir
    assert a.network is not b.network


def test_download_folders_are_made_on_use_and_gone_with_the_process(tmp_path):
    """A tab that downloads nothing leaves no folder; the process's folder goes when it exits,
    open tabs or not (a Ctrl-C'd server never closes its tabs: 5,000 folders, 1.3 GB, had piled
    up in /tmp); a killed process's folder is removed by the next server."""
    code = ("from resilient_sc.app.state import Session, process_folder\n"
            "quiet, used = Session.example(), Session.example()\n"
            "(used.workdir / 'plan.xlsx').write_text('x', encoding='utf-8')\n"
            "print(process_folder(), quiet._workdir, used.workdir)\n")
    folder, quiet, used = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout.split()
    assert quiet == "None" and Path(used).parent == Path(folder)
    assert not Path(folder).exists()
    from resilient_sc.app.state import FOLDER_PREFIX, OWNER, remove_stale_folders

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    for pid in (dead, os.getpid()):
        (tmp_path / f"{FOLDER_PREFIX}{pid}-x" / "tab-1").mkdir(parents=True)
        (tmp_path / f"{FOLDER_PREFIX}{pid}-x" / OWNER).write_text(f"{pid} {socket.gethostname()}",
                                                                  encoding="utf-8")
    (tmp_path / f"{FOLDER_PREFIX}{dead}-backup").mkdir()  # no owner file: not the app's
    # an owner file that is a named pipe or a link to an endless device (any local user may plant one
    # in the temporary folder): skipped, where the server waited before it listened (file system audit)
    (tmp_path / f"{FOLDER_PREFIX}1-pipe").mkdir()
    os.mkfifo(tmp_path / f"{FOLDER_PREFIX}1-pipe" / OWNER)
    (tmp_path / f"{FOLDER_PREFIX}1-zero").mkdir()
    (tmp_path / f"{FOLDER_PREFIX}1-zero" / OWNER).symlink_to("/dev/zero")
    assert [p.name for p in remove_stale_folders(tmp_path)] == [f"{FOLDER_PREFIX}{dead}-x"]


def test_a_job_ends_with_its_server_and_a_shutdown_stops_every_job():
    """A kill -9 of the server left its solve running at full CPU (the fork server, the job's
    parent, outlived it); a Ctrl-C'd server waited for its tabs' solves to end (38 s)."""
    import time as clock

    from resilient_sc.app import jobs
    from resilient_sc.app.state import stop_every_job

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    ctx = jobs._context()
    _, send = ctx.Pipe(duplex=False)
    orphan = ctx.Process(target=jobs._child, args=(send, clock.sleep, (60,), dead), daemon=True)
    orphan.start()
    orphan.join(15)
    assert not orphan.is_alive()
    tabs = [Session.example(), Session.example()]
    running = [tab.start(clock.sleep, [60]) for tab in tabs]
    stop_every_job()
    assert [job.wait() for job in running] == [("stopped", "")] * 2


def test_base_cost_with_thousands_separators(base_plan):
    assert money_label(base_plan.objective) == "11,914,791"


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


def test_an_upload_the_server_cannot_save_blames_the_server(tmp_path, monkeypatch):
    """A full server disk read as the user's fault: '(plant A.xlsx) | cannot read it (OSError)'
    (audit). It says the server could not save its copy, and that the file is fine."""
    import errno

    from resilient_sc.template import write_template

    content = write_template(tmp_path / "book.xlsx").read_bytes()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(ValidationError) as info:
        read_upload(content, "plant A.xlsx", Session.example().workdir)
    assert str(info.value).endswith("(plant A.xlsx) | the server could not save its copy of the file to read "
                                    "it (No space left on device: its disk may be full); nothing is wrong "
                                    "with the file: try again later, or tell whoever runs the app")


def test_upload_refuses_other_files(tmp_path):
    with pytest.raises(ValidationError, match=r"expected an \.xlsx workbook"):
        read_upload(b"a,b\n", "data.csv", tmp_path)


def test_a_macro_workbook_uploads_as_the_command_line_reads_it(tmp_path):
    """The CLI reads an .xlsm (its tables; no macro runs); the app refused it."""
    from resilient_sc.template import write_template

    book = write_template(tmp_path / "book.xlsx")
    assert read_upload(book.read_bytes(), "book.xlsm", Session.example().workdir).source == "book.xlsm"


def test_problem_without_row():
    rows = problem_rows(ValidationError(["(hubs) | required table is missing", "plain text"]))
    assert rows[0]["table"] == "hubs" and rows[0]["row"] == "" and rows[1]["message"] == "plain text"


def test_the_readers_cell_and_line_problems_fill_the_column_and_row(tmp_path):
    """The workbook reader's "column D 'capacity' holds a formula" and the CSV reader's "... in
    line 3" left the column and row fields empty (messages the readers write)."""
    from resilient_sc.data import read_network

    rows = problem_rows(ValidationError(["(hubs, row 3) | column D 'capacity' holds a formula"]))
    assert (rows[0]["row"], rows[0]["column"]) == ("3", "capacity")
    write_tables(examples.tiny().frames(), tmp_path / "data")
    lanes = (tmp_path / "data" / "lanes.csv").read_text(encoding="utf-8").splitlines()
    lanes[2] += ",x,y,z"
    (tmp_path / "data" / "lanes.csv").write_text("\n".join(lanes) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_network(tmp_path / "data")
    (row,) = problem_rows(info.value)
    assert (row["table"], row["row"]) == ("lanes", "3") and "the row has 8 fields" in row["message"]


def test_a_duplicate_row_names_its_key_columns(tmp_path):
    """The column cell of a duplicate id was blank (app audit): the key columns are its column."""
    lanes = examples.tiny().frames()["lanes"]
    with pytest.raises(ValidationError) as info:
        Network.from_frames(**{**examples.tiny().frames(), "lanes": pd.concat([lanes, lanes.head(1)])})
    (row,) = [r for r in problem_rows(info.value) if "duplicate" in r["message"]]
    assert (row["table"], row["column"]) == ("lanes", "origin, destination, product")


def test_edits_are_validated_and_downloaded(tmp_path):
    s = Session.example()
    s.frames["hubs"].loc[0, "capacity"] = 1.0
    s.apply_edits()
    assert float(s.network.hubs.loc[0, "capacity"]) == 1.0
    assert s.source == "bundled example (electronics), edited in the grids"  # no longer the example as is
    s.apply_edits()
    assert s.source.count("edited") == 1
    book = read_upload(edited_workbook(s).read_bytes(), "network.xlsx", tmp_path)
    assert float(book.hubs.loc[0, "capacity"]) == 1.0
    s.frames["hubs"] = s.frames["hubs"].astype({"capacity": object})
    s.frames["hubs"].loc[0, "capacity"] = "-"
    with pytest.raises(ValidationError):
        s.apply_edits()
    assert float(s.network.hubs.loc[0, "capacity"]) == 1.0  # unchanged by a failed edit


def test_grid_rows_are_json_friendly():
    rows = grid_rows(examples.electronics().table("countries"))
    assert rows[7]["bloc"] == ""
    assert rows[0] == {"country": "DE", "region": "Europe", "bloc": "atlantic", "_i": 0}


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
    assert kind == "ok" and money_label(plan.objective) == "12,228,393"
    kind, reasons = Job(solve, [net, Policy(min_suppliers=99)]).wait()
    assert kind == "infeasible" and "min_suppliers" in reasons[0]
    kind, problems = Job(solve, [net, Policy(min_local_share=1.5)]).wait()
    assert kind == "invalid" and "min_local_share" in problems[0]


def test_the_compare_tables_are_headed_by_words_and_units():
    headers = {c: column_label(c) for c in [*PREMIUM_COLUMNS, *FAILURE_COLUMNS, *PATH_COLUMNS]}
    assert headers["cost"] == "cost (money)" and headers["premium_pct"] == "premium (%)"
    assert headers["worst_served"] == "worst served (% of demand)" and headers["impact"] == "impact (money)"
    assert headers["n_hubs_started"] == "hubs started" and headers["local_share"] == "local share (%)"
    assert not [h for h in headers.values() if "_" in h]  # no column name shows through


def test_job_stops():
    job = Job(time.sleep, [30])
    time.sleep(0.2)
    job.stop()
    assert job.wait() == ("stopped", "") and job.elapsed < 10


def test_premium_table_and_workbook(base_plan):
    s = Session.example()
    s.plan = base_plan
    assert premium_frame(s) is None and premium_legend(s).startswith("Solve a policy")
    s.add_scenario("local", Policy(min_local_share=0.5), solve(s.network, Policy(min_local_share=0.5)))
    s.add_scenario("base", Policy(), base_plan)
    s.add_scenario("impossible", Policy(min_suppliers=99), None, "min_suppliers 99 cannot be met")
    rows = premium_rows(s)
    assert [r["policy"] for r in rows] == ["base", "local", "impossible"]
    assert rows[1]["premium_pct"] == "2.63%" and rows[2]["status"] == "infeasible"
    s.stress = stress_test(s.network, base_plan)
    assert worst_failures(s.stress, 3)["worst_served"].is_monotonic_increasing
    legend = premium_legend(s)  # what the table's words mean, and why worst served may be blank
    assert "over the scenario 'base'" in legend and "blank until that design is stress-tested" in legend
    assert legend.endswith(f"({base_plan.share_weighting()}).")
    penalties, said = s.stress.penalties, stress_legend(s.stress)  # the money per unit short its costs use
    assert len(penalties) == 3 and all(f"{v:,.2f} per unit of {p}" in said for p, v in penalties.items())
    # in each product's unit: 'money per unit: cells 797.70' beside cells counted in kWh (app audit)
    f = examples.electronics().frames()
    f["products"] = f["products"].assign(unit=["kWh", "pieces", "pieces"])
    net = Network.from_frames(**f)
    said = stress_legend(stress_test(net, solve(net), failures=("country",)))
    assert "shortfall cost = the quantity short × its penalty (797.70 per unit of cells (kWh), " in said
    book = openpyxl.load_workbook(plan_workbook(s), read_only=True)
    assert {"summary", "premium", "stress_failures"} <= set(book.sheetnames)
    assert plan_workbook(s).parent == s.workdir


def test_command_arguments():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["examples/electronics", "--no-browser", "--port", "9000"])
    assert (str(args.data), args.port, args.no_browser) == ("examples/electronics", 9000, True)
    assert "pip install '.[app]' in the resilient_sc source folder" in MISSING


def test_map_figure(base_plan):
    pytest.importorskip("plotly")
    from resilient_sc.app.plan_view import WIDTH_CLASSES
    from resilient_sc.app.solve_page import map_figure
    from resilient_sc.format import quantity

    fig = map_figure(Session.example(), base_plan)
    products = ["cells", "chips", "displays"]
    legend = [t.name for t in fig.data if t.name and t.showlegend is not False]
    # filled in the design, hollow left out: each in the legend by its words (one symbol for both read
    # either way, as the first marker of its kind happened to be)
    assert legend == [f"flows of {p}" for p in products] + ["suppliers contracted", "suppliers not chosen",
                                                             "hubs opened", "hubs not opened", "markets"]
    contracted = next(t for t in fig.data if t.name == "suppliers contracted")
    assert sorted(t.split(" (")[0] for t in contracted.text) == sorted(base_plan.supplier_ids)
    assert all(t.endswith("(supplier, contracted)") for t in contracted.text)
    assert next(t for t in fig.data if t.name == "hubs not opened").marker.color == "white"
    for k, product in enumerate(products):  # one product shown at a time, its widths its own units
        lines = [t for t in fig.data if t.name == f"flows of {product}"]
        assert 1 <= len(lines) <= WIDTH_CLASSES  # flows drawn a trace per line width, not per flow
        assert {t.visible for t in lines} == ({True} if k == 0 else {"legendonly"})
        assert max(t.line.width for t in lines) == 0.5 + 6 * (WIDTH_CLASSES - 0.5) / WIDTH_CLASSES
    (hover,) = [t for t in fig.data if t.mode == "markers" and not t.name]  # a point per flow, its words
    flows = pd.concat([base_plan.inbound.rename(columns={"supplier": "a", "hub": "b"}),
                       base_plan.outbound.rename(columns={"hub": "a", "market": "b"})])
    flows = flows.groupby(["a", "b", "product"])["quantity"].sum()
    flows = flows[flows > 0]
    lanes: dict[tuple[str, str], list[str]] = {}  # a point per lane, each product's units on it
    for (a, b, p), q in flows.items():
        lanes.setdefault((a, b), []).append(f"{p}: {quantity(q)} pieces")
    words = [f"{a} → {b}<br>" + "<br>".join(sorted(w)) for (a, b), w in lanes.items()]
    assert sorted(t.split("<br>", 1)[0] + "<br>" + "<br>".join(sorted(t.split("<br>")[1:]))
                  for t in hover.text) == sorted(words)
    lines = [t for t in fig.data if t.mode == "lines" and (t.name or "").startswith("flows of")]
    gaps = sum(int(np.isnan(t.x).sum()) for t in lines)  # each arc (each piece at a seam) ends in a gap
    assert gaps >= len(flows)


def test_missing_extra_is_a_clear_error(monkeypatch):
    import sys

    from resilient_sc.app import main
    from resilient_sc.exceptions import ResilientSCError

    monkeypatch.setitem(sys.modules, "nicegui", None)
    with pytest.raises(ResilientSCError, match=r"pip install '\.\[app\]' in the resilient_sc source folder"):
        main(None, 1, False)


def test_gap_from_the_highs_log(tmp_path):
    assert progress_text("") == "gap —" and log_progress(tmp_path / "none.log") == "gap —"
    assert progress_text(LOG_SAMPLE).startswith("gap 0.28% · best bound 11,897,435")
    first = LOG_SAMPLE.splitlines()[:3]  # only the line with no bound yet and a Large gap
    assert progress_text("\n".join(first)) == "gap large · best plan 12,757,597"
    log = tmp_path / "solve.log"
    kind, plan = Job(solve, [examples.electronics(), Policy(min_local_share=0.5),
                             SolveOptions(log=str(log))]).wait()
    assert kind == "ok" and log_progress(log).startswith("gap 0.00% · best bound ")
    assert money_label(plan.objective) in log_progress(log)


def zipped(frames, folder="electronics", extra=()):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, df in frames.items():
            zf.writestr(f"{folder}/{name}.csv" if folder else f"{name}.csv", df.to_csv(index=False))
        for name, text in extra:
            zf.writestr(name, text)
    return buf.getvalue()


def test_zipped_csv_folder_upload(tmp_path):
    frames = examples.electronics().frames()
    work = tmp_path / "work"
    work.mkdir()
    for folder in ("electronics", ""):
        net = read_upload(zipped(frames, folder, [("notes.txt", "x")]), "data.zip", work)
        assert repr(net) == repr(examples.electronics())
    hubs = frames["hubs"].astype({"capacity": object})
    hubs.loc[2, "capacity"] = "lots"
    with pytest.raises(ValidationError) as info:
        read_upload(zipped({**frames, "hubs": hubs}), "bad.zip", work)
    assert problem_rows(info.value)[0]["column"] == "capacity"
    # the library's own folder writer, zipped
    write_tables(frames, tmp_path / "csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in (tmp_path / "csv").iterdir():
            zf.write(f, f"csv/{f.name}")
    assert read_upload(buf.getvalue(), "csv.zip", work).products.shape[0] == 3


@pytest.mark.parametrize("member", ["../evil.csv", "/etc/suppliers.csv", "a/../../suppliers.csv",
                                    "C:/suppliers.csv", "..\\suppliers.csv"])
def test_zip_refuses_path_traversal(tmp_path, member):
    with pytest.raises(ValidationError, match="absolute or climbing"):
        read_upload(zipped({}, extra=[(member, "a\n")]), "evil.zip", tmp_path)
    assert not (tmp_path.parent / "evil.csv").exists() and list(tmp_path.iterdir()) == []


def test_zip_limits(tmp_path, monkeypatch):
    with pytest.raises(ValidationError, match="not a zip archive"):
        read_upload(b"PK nonsense", "x.zip", tmp_path)
    with pytest.raises(ValidationError, match="no table CSV files"):
        read_upload(zipped({}, extra=[("readme.md", "x")]), "x.zip", tmp_path)
    frames = examples.electronics().frames()
    with pytest.raises(ValidationError, match="several folders"):
        read_upload(zipped(frames, "a", [("b/hubs.csv", "hub\n")]), "x.zip", tmp_path)
    # two names of one table, told apart by case: on macOS and Windows one overwrote the other
    with pytest.raises(ValidationError, match=r"the table 'demand' is in the archive twice, its names "
                                              r"told apart by case only \('demand.csv', 'Demand.csv'\)"):
        read_upload(zipped(frames, "a", [("a/Demand.csv", "market,product,demand\n")]), "x.zip", tmp_path)
    with warnings.catch_warnings():  # zipfile warns of the duplicate name
        warnings.simplefilter("ignore")
        same = zipped(frames, "a", [("a/demand.csv", "market,product,demand\n")])
    with pytest.raises(ValidationError, match=r"the table 'demand' is in the archive twice, two members "
                                              r"named 'demand.csv'; keep one"):  # not 'by case only'
        read_upload(same, "x.zip", tmp_path)
    monkeypatch.setenv("RESILIENT_SC_MAX_FILE_MB", "0.01")  # about 10 KB
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demand.csv", "market,product,demand\n" + "M,P,1\n" * 100_000)
    assert len(bomb.getvalue()) < 10_000
    with pytest.raises(ValidationError, match=r"unzips to 0\.6 MB, over the limit of 0\.01 MB"):
        read_upload(bomb.getvalue(), "x.zip", tmp_path)
    # a member whose stated size is a lie (its checksum then fails), or encrypted: said, not a traceback
    monkeypatch.setenv("RESILIENT_SC_MAX_FILE_MB", "256")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demand.csv", "market,product,demand\n" + "M,P,1\n" * 400_000)
    lie = bomb.getvalue().replace((2_400_022).to_bytes(4, "little"), (1).to_bytes(4, "little"))
    with pytest.raises(ValidationError, match=r"member 'demand\.csv' is damaged \(Bad CRC-32 for file "
                                              r"'demand\.csv'\): zip the folder of CSV files again"):
        read_upload(lie, "x.zip", tmp_path)  # its stated size a lie: a traceback
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("demand.csv", "market,product,demand\n")
    locked = bytearray(plain.getvalue())  # its flag 'encrypted' set, as a password-protected archive's
    for header, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        locked[locked.index(header) + at] |= 0x1
    with pytest.raises(ValidationError, match=r"member 'demand\.csv' is encrypted: zip the folder of CSV "
                                              r"files again without a password"):
        read_upload(bytes(locked), "x.zip", tmp_path)
    # a sheet Excel saved with formatted blank rows zips hundreds of times smaller: read, as its folder is
    # (a limit on inflation refused it: review audit)
    frames = examples.electronics().frames()
    demand = frames.pop("demand").to_csv(index=False) + ",,\n" * 1_500_000
    blank = zipped(frames, "", [("demand.csv", demand)])
    assert len(demand) > 200 * len(blank)
    assert len(read_upload(blank, "blank rows.zip", tmp_path).demand) == len(examples.electronics().demand)
    legit = zipped(examples.electronics().frames())  # a planner's tables: read (a 1 MB floor)
    assert len(read_upload(legit, "y.zip", tmp_path).lanes) == len(examples.electronics().lanes)


def test_a_zip_unzips_its_tables_alone_within_the_limit_together(tmp_path, monkeypatch):
    """Each member was held to the file size limit but not all of them together, and every .csv
    in the folder was extracted: 50 junk CSV files of nearly 10 MB wrote 501 MB on the server."""
    frames = examples.electronics().frames()
    archive = zipped(frames, "", [("junk.csv", "a\n" * 1000)])
    folder = unzip_tables(archive, "plant A.zip", tmp_path)
    assert not (folder / "junk.csv").exists() and (folder / "lanes.csv").is_file()
    assert read_upload(archive, "plant A.zip", tmp_path).source == "plant A.zip"  # the user's file named
    misspelt = {("tarifs" if k == "tariffs" else k): v for k, v in frames.items()}
    with pytest.raises(ValidationError, match=r"\(x\.zip\) \| 'tarifs\.csv' is not a table name \(did you "
                                              r"mean 'tariffs\.csv'\?\)"):  # dropped silently before
        read_upload(zipped(misspelt, ""), "x.zip", tmp_path)
    copy = {**frames, "lanes_v2": frames["lanes"]}  # a copy beside its table is no misspelling
    assert len(read_upload(zipped(copy, ""), "y.zip", tmp_path).lanes) == len(examples.electronics().lanes)
    monkeypatch.setenv("RESILIENT_SC_MAX_FILE_MB", "0.012")  # about 12.6 KB: each table fits, not all
    assert all(len(df.to_csv(index=False)) < 12_000 for df in frames.values())
    with pytest.raises(ValidationError, match=r"the table CSV files unzip to more than the limit of 0\.012"):
        read_upload(zipped(frames), "x.zip", tmp_path)


def test_start_from_the_template(tmp_path):
    net = template_network(tmp_path)
    assert net.products["product"].tolist() == ["widget"]
    s = Session.example()
    s.replace_network(net, "template")
    assert s.countries() == ["FR", "CN"] and s.scenarios == {}
    assert money_label(solve(net).objective) == "70,200"


def test_per_region_and_product_values():
    s = Session.example()
    regions, products = network_keys(s)
    assert sorted(regions) == ["Asia", "Europe", "Latin America", "North America"]
    assert products == ["cells", "chips", "displays"]
    rows = key_rows(regions, products, {"Europe": 0.7})
    assert len(rows) == 7 and {"key": "Europe", "kind": "region", "value": 0.7} in rows
    grid = {r["key"]: r["value"] for r in rows} | {"chips": 0.4}
    p = policy_of({"min_local_share": grid, "service_level": {}, "survive": []})
    assert p.min_local_share == {"Europe": 0.7, "chips": 0.4} and p.service_level is None
    assert controls_of(p)["per_key"]["min_local_share"] == {"Europe": 0.7, "chips": 0.4}
    assert controls_of(p)["min_local_share"] is None
    # the grid's values replace a single value; an emptied grid with the switch off is no requirement
    assert policy_of({"min_local_share": {}}, Policy(min_local_share=0.5)).min_local_share is None
    kind, plan = Job(solve, [s.network, p]).wait()
    assert kind == "ok" and plan.objective > solve(s.network).objective
    kind, problems = Job(solve, [s.network, policy_of({"min_local_share": {"Europe": 1.5}})]).wait()
    assert kind == "invalid" and "min_local_share" in problems[0]


@pytest.fixture(scope="module")
def compared(base_plan):
    s = Session.example()
    s.plan = base_plan
    s.add_scenario("base", Policy(), base_plan)
    s.set_stress(stress_test(s.network, base_plan))
    local = solve(s.network, Policy(min_local_share=0.5))
    s.add_scenario("local", Policy(min_local_share=0.5), local)
    s.add_scenario("impossible", Policy(min_suppliers=99), None, "min_suppliers 99 cannot be met")
    return s


def test_premium_bars(compared):
    pytest.importorskip("plotly")
    fig = premium_bars(premium_frame(compared))
    bar = fig.data[0]
    assert list(bar.customdata) == list(fig.layout.xaxis.ticktext) == ["base", "local", "impossible"]
    assert round(bar.y[1], 2) == 2.63 and list(bar.text) == ["+0.00%", "+2.63%", "infeasible"]
    assert fig.layout.yaxis.title.text == "premium over the base design (%)"
    assert premium_frame(compared)["worst_served"].notna().tolist()[:2] == [True, False]  # base was stressed


def test_many_premium_bars_lie_a_row_each():
    """20 scenarios' names turned on the axis were cut and ran into the legend (scale audit): beyond
    UPRIGHT_BARS the bars lie, a row per scenario in the table's order, their names read across."""
    pytest.importorskip("plotly")
    from resilient_sc.app.compare_page import UPRIGHT_BARS

    n = UPRIGHT_BARS + 1
    table = pd.DataFrame({"policy": [f"scenario {i}" for i in range(n)], "status": "optimal",
                          "premium_pct": [float(i) for i in range(n)], "cost": 110.0, "network_cost": 100.0,
                          "network_premium_pct": [0.5 * i for i in range(n)]})
    fig = premium_bars(table)
    total, network = fig.data
    assert total.orientation == network.orientation == "h" and list(total.x) == list(range(n))
    assert list(fig.layout.yaxis.ticktext) == list(table["policy"])
    assert fig.layout.yaxis.autorange == "reversed"  # the first on top, as in the table
    assert fig.layout.xaxis.title.text == "premium over the base design (%)"
    assert "%{x:+.2f}" in network.hovertemplate and fig.layout.height >= 22 * 2 * n
    upright = premium_bars(table.head(UPRIGHT_BARS))
    assert upright.data[0].orientation is None
    assert list(upright.layout.xaxis.ticktext) == list(table["policy"][:-1])


def test_premium_bars_split_what_a_shortfall_penalty_counts(base_plan):
    """A scenario whose cost counts disruption-scenario cost (the example's disruptions table):
    beside its premium a hatched bar gives the network's alone, and its table shows the network
    premium too. (Stacked, a negative network premium under a positive penalty read as the
    reverse: a solid bar to the total's -16.83% and the hatched rest to -90%.)"""
    pytest.importorskip("plotly")
    s = Session.example()
    s.add_scenario("base", Policy(), base_plan)
    aware = Policy(shortfall_penalty=500.0)
    s.add_scenario("aware", aware, solve(s.network, aware))
    frame = premium_frame(s)
    fig = premium_bars(frame)
    total, network = fig.data
    row = frame.set_index("policy").loc["aware"]
    assert fig.layout.barmode == "group" and network.base is None  # side by side, never stacked
    assert total.y[-1] == pytest.approx(row["premium_pct"])
    assert total.text[-1] == f"{row['premium_pct']:+.2f}%"
    assert network.y[-1] == pytest.approx(row["network_premium_pct"]) and network.marker.pattern.shape == "/"
    assert network.text[-1] == f"{row['network_premium_pct']:+.2f}%"
    assert "network_premium_pct" in premium_rows(s)[0]


def test_frontier_values_and_figure():
    pytest.importorskip("plotly")
    assert sweep_values("0.2;0.4", "min_local_share") == [0.2, 0.4]
    with pytest.raises(ValidationError, match="not a number"):
        sweep_values("0.2, half", "min_local_share")
    with pytest.raises(ValidationError, match="give a few values"):
        sweep_values(" ", "min_local_share")
    # a decimal comma or a thousands dot is refused, not read as other values (localisation audit:
    # '2,5 7,5' swept 2, 5 and 7; '1.200' swept 1.2)
    with pytest.raises(ValidationError, match=r"'2,5': a comma or a no-break space between digits may be a"):
        sweep_values("2,5 7,5", "co2_price")
    with pytest.raises(ValidationError, match=r"'1\\xa0000': a comma or a no-break space"):
        sweep_values("0 1\u00a0000", "co2_price")  # a French thousand: two values, unsaid
    assert sweep_values("0.25,0.5", "min_local_share") == [0.25, 0.5]  # a list, not a decimal comma
    with pytest.raises(ValidationError, match=r"'1\.200' may be 1200 \(a dot for thousands\) or 1\.2"):
        sweep_values("0 1.200", "co2_price")
    assert sweep_values("0, 2.5, 12.25, 12.1250", "co2_price") == [0.0, 2.5, 12.25, 12.125]
    net = examples.electronics()
    from resilient_sc.analysis.frontier import frontier

    kind, df = Job(frontier, [net, "min_local_share", [0.0, 0.5, 1.0], Policy()]).wait()
    assert kind == "ok" and df["status"].tolist()[:2] == ["optimal", "optimal"]
    fig = frontier_figure(df, "min_local_share")
    titles = [fig.layout[a].title.text for a in ("xaxis", "yaxis", "yaxis2")]
    assert titles[0] == "min_local_share (fraction of demand)" and "money" in titles[1]
    # the cost axis in whole money with separators, as the table (its SI ticks read 12.1303315M: audit)
    assert fig.layout.yaxis.tickformat == ",.0f" and "(money)" in fig.data[0].hovertemplate
    assert titles[2] == "worst-case served (% of demand)"
    assert "conditional on the worst single country failure" in fig.layout.annotations[1].text
    # the hover of a guarantee rounds down, as the tables do (0.901539 read '90.2% guaranteed': audit)
    odd = df.assign(worst_served=[0.901539, 0.5, float("nan")])
    served = next(tr for tr in frontier_figure(odd, "min_local_share").data if tr.name == "worst-case served")
    assert list(served.customdata[:2]) == ["90.1%", "50.0%"]
    assert "%{customdata} guaranteed" in served.hovertemplate


def title_words(fig: Any) -> str:
    """A figure's title as one line: its lines (``<br>``) and tags (``<sup>``) as spaces."""
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", fig.layout.title.text)).strip()


def test_served_heatmap_per_product(compared):
    pytest.importorskip("plotly")
    stress = compared.stress
    assert all(served_heatmap(stress, p).data for p in stress.products[:1])
    for product in stress.products:
        fig = served_heatmap(stress, product)
        title = title_words(fig)
        assert product in title and "conditional on each failure" in title
        # in lines that fit a narrow window (one ran past the figure at 640 px: app audit)
        assert all(len(re.sub("<[^>]+>", "", line)) <= 60 for line in fig.layout.title.text.split("<br>"))
        if fig.data:
            assert heatmap_width(fig) == 320 + 36 * len(fig.data[0].x)  # scrolled sideways when narrower
            heat = fig.data[0]
            assert heat.zmin == 0 and heat.zmax == 100 and f"demand for {product}" in heat.colorbar.title.text
            served = stress.served_matrix(product)
            assert len(heat.y) == int((served.min(axis=1) < 1 - 1e-7).sum())
            cells = served.reindex(index=heat.y, columns=heat.x).to_numpy()  # hover: rounded down
            assert [list(row) for row in heat.text] == [
                ["no demand" if pd.isna(v) else f"{math.floor(1000 * v + 1e-4) / 10:.1f}%" for v in row]
                for row in cells]


def test_served_heatmap_of_a_design_short_by_its_policy():
    """The first row is the design with nothing failed; failures that add no shortfall are not rows."""
    pytest.importorskip("plotly")
    from .test_stress import short_by_policy

    net, plan = short_by_policy()
    fig = served_heatmap(stress_test(net, plan, failures=("supplier", "hub")), "a")
    assert list(fig.data[0].y) == ["nothing failed", "supplier:S1", "hub:H1"]
    title = title_words(fig)
    assert "first row: nothing failed, re-routed at these prices" in title  # its own penalty
    assert "2 of 4 failures serve some market less a than that" in title


def test_figures_show_names_as_given_and_readable():
    """Plotly reads <b> in any text and let a 78-character market take the heatmap's height: names
    are escaped, cut on the axes to 40 characters (whole on hover), the cells print their numbers
    and the colours run red to blue (red to green is one colour to many)."""
    pytest.importorskip("plotly")
    from resilient_sc.app.compare_page import premium_bars
    from resilient_sc.wording import LABEL_CHARS

    net = examples.tiny()
    long = "Paris_" + "x" * 72
    net = net.replace(markets=net.table("markets").replace({"Paris": long}),
                      demand=net.table("demand").replace({"Paris": long}),
                      lanes=net.table("lanes").replace({"Paris": long, "S_CN": "<b>S_CN</b>"}),
                      suppliers=net.table("suppliers").replace({"S_CN": "<b>S_CN</b>"}),
                      supplier_products=net.table("supplier_products").replace({"S_CN": "<b>S_CN</b>"}))
    plan = solve(net)  # S_CN alone: its failure leaves Paris short
    fig = served_heatmap(stress_test(net, plan, failures=("supplier",)), "default")
    (heat,) = fig.data
    assert list(heat.x) == [long] and "supplier:&lt;b&gt;S_CN&lt;/b&gt;" in heat.y
    assert list(fig.layout.xaxis.ticktext) == [long[:LABEL_CHARS - 1] + "…"]
    assert heat.texttemplate == "%{text}"
    # dark red to pale yellow: lightness rises with the fraction served (red to blue printed as one grey)
    assert (heat.colorscale[0][1], heat.colorscale[-1][1]) == ("rgb(128,0,38)", "rgb(255,255,204)")
    table = pd.DataFrame({"policy": ["base", "<i>tariff</i>", "t" * 220], "status": ["optimal"] * 3,
                          "premium_pct": [0.0, 1.5, 2.0]})
    bars = premium_bars(table, "the scenario '<b>base</b>'")
    escaped = ["base", "&lt;i&gt;tariff&lt;/i&gt;"]
    assert list(bars.data[0].customdata) == [*escaped, "t" * 220]  # the hover: whole
    # the ticks cut (a 220-character name squeezed the bars to a strip)
    assert list(bars.layout.xaxis.ticktext) == [*escaped, "t" * (LABEL_CHARS - 1) + "…"]
    assert "the scenario '&lt;b&gt;base&lt;/b&gt;'" in bars.layout.title.text.replace("<br>", " ")
    # in lines plotly keeps within a narrow figure (it cut a title wider than the figure)
    assert all(len(line) <= 60 for line in bars.layout.title.text.split("<br>"))
    tagged = net.replace(**{t: net.table(t).replace({"default": "<i>x</i>"})  # a product named so
                            for t in ("products", "supplier_products", "demand")})
    served = served_heatmap(stress_test(tagged, solve(tagged), failures=("hub",)), "<i>x</i>")  # all served
    assert title_words(served).startswith("&lt;i&gt;x&lt;/i&gt;: share of each market's demand served")


def test_the_roadmap_timeline_shows_names_as_given():
    """Ids and periods reach plotly escaped on the timeline's ticks, bars and hover."""
    pytest.importorskip("plotly")
    from .test_roadmap import paris

    net = paris()
    renamed = net.replace(**{t: net.table(t).replace({"S_CN": "<b>S_CN</b>"})
                             for t in ("suppliers", "supplier_products", "lanes")})
    fig = timeline_figure(solve_roadmap(renamed))
    ticks = list(fig.layout.yaxis.ticktext)
    assert "&lt;b&gt;S_CN&lt;/b&gt; (CN)" in ticks and not any("<b>S_CN" in t for t in ticks)
    hover = [t for trace in fig.data for t in (trace.hovertext or ())]
    assert any("&lt;b&gt;S_CN&lt;/b&gt;" in t for t in hover) and not any("<b>" in t for t in hover)


def test_report_zip_and_figures(compared):
    pytest.importorskip("plotly")
    path = report_zip(compared)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "premium-report/report.md" in names and "premium-report/premium.csv" in names
        assert "premium-report/stress_failures.csv" in names
        assert any(n.endswith(".png") for n in names) and all(n.startswith("premium-report/") for n in names)
        assert "local" in zf.read("premium-report/premium.csv").decode()
    assert path.parent == compared.workdir
    compared.frontier = ("min_local_share", pd.DataFrame({
        "min_local_share": [0.0, 0.5], "cost": [1.0, 2.0], "premium_pct": [0.0, 100.0], "worst_served": 0.5,
        "status": "optimal"}), "Over the policy (the base) …")
    titles = [t for t, _ in figures(compared)]
    base = "the current design under no resilience policy (cost-optimal)"  # each says what it is of
    assert titles[:2] == [f"Map of {base}: flows in each product's own unit", "Premium per scenario"]
    assert titles[2:5] == [f"Demand served per failure of {base} (each failure alone, flows re-routed): {p}"
                           for p in ("cells", "chips", "displays")]
    assert titles[5:] == ["Frontier of min_local_share: Over the policy (the base) …"]
    page = figures_html(compared).read_text(encoding="utf-8")
    # its language, a main landmark and each figure's numbers as text, where the page had no text
    # alternative; no Plotly Cloud button on an offline page of the planner's data (accessibility audit)
    assert page.startswith("<!doctype html><html lang='en'>") and page.count("<main>") == 1
    assert page.count("<p>The numbers: ") == 5 and page.count("plan workbook, plan.xlsx (step 5)") == 2
    assert page.count("every market&#x27;s served share under every failure in the report&#x27;s "
                      "stress_shortfalls.csv") == 3
    # the frontier's table as the page's: its columns headed with units, its numbers as the page's (the
    # raw frame had 19 columns, fractions and no units: review audit)
    assert "<th scope='col'>premium over the starting policy&#x27;s design (%)</th>" in page
    assert "<td>100.00%</td>" in page and "<th scope='col'>cost (money)</th>" in page
    assert '"modeBarButtonsToRemove": ["sendChartToCloud"' in page and '"displaylogo": false' in page
    real = Path.write_text

    def half(self, text, **kwargs):  # a full disk: part of the page written, then the error
        real(self, text[:100], **kwargs)
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(Path, "write_text", half)
        with pytest.raises(OSError):
            figures_html(compared)
    assert (compared.workdir / "figures.html").read_text(encoding="utf-8") == page  # kept whole
    assert not [p for p in compared.workdir.iterdir() if "rsc-tmp" in p.name]
    compared.frontier = None
    assert page.count("<h2>") == len(titles) and "plotly" in page
    with pytest.raises(ValueError, match="solve a policy first"):
        report_zip(Session.example())


# ---- roadmaps (data with a periods table) ---------------------------------------------
@pytest.fixture(scope="module")
def paths():
    """The roadmap example's glide path and the cost-optimal path, solved as the app does."""
    s = Session.roadmap_example()
    kind, glide = Job(solve_roadmap, [s.network, s.policy, SolveOptions()]).wait()
    assert kind == "ok"
    kind, (base, no_base) = Job(cost_optimal_path, [s.network, SolveOptions()]).wait()
    assert kind == "ok" and no_base == ""
    s.add_scenario("base", Policy(), None, roadmap=base)
    s.add_scenario("glide path", s.policy, None, roadmap=glide)
    s.roadmap, s.period = glide, "2030"
    return s


def test_roadmap_example_and_switching_back():
    s = Session.roadmap_example()
    assert s.is_roadmap and s.period_ids() == ["2026", "2027", "2028", "2029", "2030"]
    assert s.policy == glide_path() == GLIDE_PATH  # the file's glide path, or the same without it
    assert grid_rows(s.frames["periods"])[1] == {"period": "2027", "weight": 0.9524, "_i": 1}
    note = s.open_example(roadmap=False)
    assert not s.is_roadmap and s.policy == Policy() and "did not fit" in note
    s.policy = Policy(min_local_share=0.5)
    assert s.open_example(roadmap=False) == EXAMPLE and s.policy == Policy(min_local_share=0.5)
    assert "glide path" in s.open_example(roadmap=True) and s.policy == GLIDE_PATH
    assert periods_text(s).endswith("5 periods: 2026, 2027, 2028, 2029, 2030")


def test_periods_table_uploads_as_a_roadmap(tmp_path):
    s = Session.roadmap_example()
    net = read_upload(edited_workbook(s).read_bytes(), "roadmap.xlsx", tmp_path)
    assert len(net.periods) == 5 and repr(net) == repr(s.network)
    net = read_upload(zipped(s.network.frames(), "roadmap"), "roadmap.zip", tmp_path)
    assert net.periods["period"].tolist() == s.period_ids()
    s.frames["periods"] = s.frames["periods"].astype({"weight": object})
    s.frames["periods"].loc[1, "weight"] = "heavy"
    with pytest.raises(ValidationError) as info:
        s.apply_edits()
    assert problem_rows(info.value)[0]["table"] == "periods"


def test_period_keys_in_the_policy_grid():
    s = Session.roadmap_example()
    regions, products = network_keys(s)
    rows = key_rows(regions, products, controls_of(s.policy)["per_key"]["min_local_share"], s.period_ids())
    assert [r["kind"] for r in rows].count("period") == 5
    assert {r["key"]: r["value"] for r in rows if r["kind"] == "period"} == {
        "2026": None, "2027": None, "2028": 0.3, "2029": 0.4, "2030": 0.5}
    grid = {r["key"]: r["value"] for r in rows} | {"2027": 0.2, "Europe": 0.6}
    p = policy_of({"min_local_share": grid}, s.policy)
    assert p.min_local_share == {"Europe": 0.6, "2027": 0.2, "2028": 0.3, "2029": 0.4, "2030": 0.5}
    assert p.max_country_share == GLIDE_PATH.max_country_share  # kept
    p.check_network(s.network)
    assert "period" in key_help("min_local_share", "fraction", True)
    assert "period" not in key_help("min_local_share", "fraction", False)
    assert scenario_name(GLIDE_PATH).startswith("max_country_share=2027:0.6,2028:0.4")


def test_roadmap_solve_table_and_total(paths):
    glide, base = paths.roadmap, paths.base_scenario().roadmap
    assert base.policy.is_base and glide.verify() == []
    rows = roadmap_rows(glide)
    assert [r["period"] for r in rows] == [*glide.period_ids, "total"]
    assert rows[-1]["weight × cost"] == money_label(glide.objective)
    total = sum(w * c for w, c in zip(glide.costs["weight"], glide.costs["total"], strict=True))
    assert total == pytest.approx(glide.objective)
    table = glide.table()
    assert rows[0]["cost"] == money_label(table["cost"].iloc[0]) and rows[0]["weight"] == "1"
    assert rows[-2]["local"] == f"{table['local_share'].iloc[-1]:.1%}"
    assert rows[-2]["suppliers started"] == ", ".join(shlex.split(table["suppliers_started"].iloc[-1]))
    said = f"Total path cost: {money_label(glide.objective)} (money) = Σ weight × period"
    assert total_text(glide).startswith(said)
    assert premium_text(glide.objective, base.objective) == \
        f"{100 * (glide.objective - base.objective) / base.objective:+.2f}%"
    assert premium_text(base.objective * (1 - 1e-12), base.objective) == "+0.00%"  # a tie, not a saving


def test_roadmap_infeasible_and_stop():
    net = examples.electronics_roadmap()
    early = Policy(min_local_share={"2027": 0.5})
    kind, reasons = Job(solve_roadmap, [net, early, SolveOptions()]).wait()
    assert kind == "infeasible" and all(r.startswith("in period 2027") for r in reasons)
    assert any("lead_time" in r for r in reasons)
    unknown = Policy(min_local_share={"2031": 0.5})
    kind, problems = Job(solve_roadmap, [net, unknown, SolveOptions()]).wait()
    assert kind == "invalid" and "2031" in problems[0]
    job = Job(cost_optimal_path, [net, SolveOptions()])
    time.sleep(0.5)
    job.stop()
    assert job.wait() == ("stopped", "")


def test_roadmap_compare(paths):
    pytest.importorskip("plotly")
    rows = premium_rows(paths)
    assert [r["policy"] for r in rows] == ["base", "glide path"]
    glide, base = paths.roadmap, paths.base_scenario().roadmap
    assert rows[1]["premium_pct"] == f"{100 * (glide.objective - base.objective) / base.objective:.2f}%"
    assert set(rows[1]) == set(PATH_COLUMNS) and rows[0]["premium_pct"] == "0.00%"
    fig = premium_bars(premium_frame(paths))
    assert "cost-optimal path" in fig.layout.yaxis.title.text
    paths.scenarios["impossible"] = Scenario("impossible", Policy(min_suppliers=99), None, "no")
    try:
        assert premium_rows(paths)[2]["status"] == "infeasible"
    finally:
        del paths.scenarios["impossible"]
    alone = Session.roadmap_example()  # no cost-optimal path: no premium
    alone.add_scenario("glide path", alone.policy, None, roadmap=glide)
    assert premium_frame(alone) is None and premium_rows(alone) == []


def test_timeline_and_period_map(paths):
    pytest.importorskip("plotly")
    from resilient_sc.app.solve_page import map_figure

    glide = paths.roadmap
    fig = timeline_figure(glide)
    bars = [t for t in fig.data if t.type == "bar" and t.legendgroup == "countries"]
    used = glide.timeline()
    assert {b.name for b in bars} == set(used["country"])
    assert sum(len(b.x) for b in bars) == int(glide.design["operating"].sum())
    # a country's swatch is its first bar's: one idle first hatched it, the legend read 'US: idle'
    assert all(b.marker.pattern.shape[0] == "" for b in bars if "" in b.marker.pattern.shape)
    assert any(t.name == "hatched: idle (operating, carrying nothing)" for t in fig.data)
    assert not fig.layout.title.text  # plotly cut a title at 640 px: the words are the page's
    started = next(t for t in fig.data if t.name.startswith("started"))
    stopped = next(t for t in fig.data if t.name.startswith("stopped"))
    d = glide.design
    assert len(started.x) == int(d["started"].sum()) and len(stopped.x) == int(d["stopped"].sum())
    # each with its country: in words, not in colour only (WCAG 1.4.1)
    named = {f"{i} ({c})" for i, c in zip(used["id"], used["country"], strict=True)}
    assert named <= set(fig.layout.yaxis.ticktext)
    ticks = [t.split("<br>")[0] for t in fig.layout.xaxis.ticktext]
    assert ticks == [f"<b>{p}</b>" for p in glide.period_ids]
    plan = glide.plans["2030"]
    names = [t.name for t in map_figure(paths, plan).data if t.name and not t.name.startswith("flows of")]
    assert names == ["suppliers contracted", "suppliers not chosen", "hubs opened", "hubs not opened",
                     "markets"]


def test_roadmap_export(paths):
    pytest.importorskip("plotly")
    book = plan_workbook(paths)
    assert book.name == "roadmap.xlsx" and book.parent == paths.workdir
    sheets = set(openpyxl.load_workbook(book, read_only=True).sheetnames)
    assert {"summary", "roadmap", "roadmap_costs", "roadmap_timeline", "premium"} <= sheets
    with zipfile.ZipFile(report_zip(paths)) as zf:
        names = set(zf.namelist())
        assert {"premium-report/premium.csv", "premium-report/premium_paths.csv",
                "premium-report/report.md"} <= names
        assert sum(n.startswith("premium-report/roadmap_") and n.endswith(".png") for n in names) == 2
        assert "Σ weight × period cost" in zf.read("premium-report/report.md").decode()
    titles = [t for t, _ in figures(paths)]
    path = "the path under max_country_share {2027: 0.6, 2028: 0.4, 2029: 0.4, 2030: 0.4}, min_local_share " \
           "{2028: 0.3, 2029: 0.4, 2030: 0.5}"  # read alone, the page said what it is of (app audit)
    assert titles[:3] == [f"Roadmap: suppliers and hubs per period, {path}. {TIMELINE_WORDS}",
                          f"Map of period 2030 of {path}: flows in each product's own unit",
                          "Premium per scenario"]


def test_roadmap_workbook_holds_the_stress_test_of_each_period(paths):
    """The roadmap workbook of a session whose roadmap was stress-tested has the stress sheets:
    the summary a row per period, each failure and shortfall with the period it was replayed in."""
    from resilient_sc.analysis import roadmap_stress, roadmap_stress_table

    results = roadmap_stress(paths.roadmap, ("hub",))
    paths.stress = results
    try:
        book = openpyxl.load_workbook(plan_workbook(paths), read_only=True)
    finally:
        paths.stress = None
    rows = {name: list(book[name].values) for name in ("stress_summary", "stress_failures")}
    assert [r[0] for r in rows["stress_summary"][1:]] == paths.roadmap.period_ids
    assert len(rows["stress_summary"]) - 1 == len(roadmap_stress_table(results))
    header, *failures = rows["stress_failures"]
    assert header[0] == "period" and len(failures) == sum(len(r.failures) for r in results.values())
    assert [r[0] for r in failures] == [p for p, r in results.items() for _ in range(len(r.failures))]
    assert "stress_shortfalls" in book.sheetnames


def test_the_stress_words_name_a_file_the_export_writes(paths):
    """The stress test's words sent a roadmap's planner to the report's stress_failures.csv and
    stress_shortfalls.csv, which a roadmap's report zip does not hold: the roadmap workbook's
    sheets do (accessibility audit); a one-period session's report holds the CSVs."""
    from resilient_sc.app.compare_page import stress_file

    with zipfile.ZipFile(report_zip(paths)) as zf:
        assert not [n for n in zf.namelist() if "stress_" in n]
    assert stress_file(paths, "failures") == ("the stress_failures sheet of the workbook roadmap.xlsx "
                                               "(step 5, export)")
    one = stress_file(Session.example(), "shortfalls")
    assert one == "the report's stress_shortfalls.csv (step 5, export)"
    # the workbook's sheet keeps the shortfalls alone: not said to hold every share (review audit)
    from resilient_sc.app.compare_page import served_shares_where

    assert served_shares_where(paths).startswith("each market and product left short under each failure in "
                                                 "the stress_shortfalls sheet of the workbook roadmap.xlsx")
    assert served_shares_where(Session.example()).startswith("every market's served share under every "
                                                             "failure in the report's stress_shortfalls.csv")


def test_end_year_frontier_figure():
    pytest.importorskip("plotly")
    import pandas as pd

    df = pd.DataFrame({"min_local_share": [0.3, 0.5, 0.9], "status": ["optimal", "optimal", "infeasible"],
                       "cost": [1.0e6, 1.1e6, float("nan")], "premium_pct": [1.5, 1.9, float("nan")],
                       "cost 2026": [5e5, 5e5, float("nan")], "cost 2030": [5e5, 6e5, float("nan")]})
    fig = any_frontier_figure(df, "min_local_share")
    assert fig.layout.xaxis.title.text == "min_local_share in 2030 (fraction of demand)"
    assert "cost-optimal path" in fig.layout.yaxis2.title.text
    marks = [a for a in fig.layout.annotations if a.text == "✖ no plan"]  # on the axis, not at cost 0
    assert [(a.x, a.yref) for a in marks] == [(0.9, "y domain"), (0.9, "y2 domain")]
    assert all(0.0 not in (t.y if t.y is not None else ()) for t in fig.data)
    assert fig.layout.xaxis.range[1] > 0.9 and fig.layout.xaxis2.range[1] > 0.9  # the mark in view


# ---- the pages, driven by NiceGUI's simulated user (no browser) ---------------------------
def on_pages(test):
    """A test of the pages (async, with the :func:`user` fixture): skipped without the app extra,
    which brings NiceGUI and anyio's pytest plugin."""
    missing = importlib.util.find_spec("nicegui") is None
    return pytest.mark.skipif(missing, reason="the app's pages need the app extra: pip install -e "
                                               "'.[app]'")(pytest.mark.anyio(test))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def user(caplog):
    """NiceGUI's simulated :class:`~nicegui.testing.User` on the app's page over the example;
    ``user.sessions`` holds the session of each page opened. Fails on an ERROR logged (a handler
    that raised)."""
    pytest.importorskip("nicegui")
    from nicegui.testing.user_simulation import user_simulation

    from resilient_sc.app import ui as app_ui

    sessions: list[Session] = []
    kinds = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    handlers = {k: signal.getsignal(k) for k in kinds}  # the server's lifespan sets its own

    def root() -> None:
        sessions.append(Session.example())
        app_ui.page(sessions[-1])

    async with user_simulation(root) as simulated:
        simulated.sessions = sessions
        yield simulated
    for k, h in handlers.items():
        signal.signal(k, h)
    errors = [r.getMessage() for r in caplog.get_records("call") if r.levelname == "ERROR"]
    assert not errors, errors


def by_id(user, testid):
    """The element of the page whose ``data-testid`` is ``testid``, for the user to act on."""
    from nicegui import ElementFilter
    from nicegui.testing.user_interaction import UserInteraction

    with user:
        found = {e for e in ElementFilter(local_scope=False) if e.props.get("data-testid") == testid}
    assert found, f"no element with data-testid={testid}"
    return UserInteraction(user, found, None)


async def until(condition, seconds=60.0):
    """Wait (letting the page's handlers run) until ``condition()`` holds."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.05)


def element(user, testid):
    """The element whose ``data-testid`` is ``testid``."""
    (found,) = by_id(user, testid).elements
    return found


def text_of(user, testid):
    return element(user, testid).text


#: a policy whose solve takes a few seconds (failures added in rounds)
SLOW = Policy(survive=("country", "hub", "supplier"), service_level=0.9, single_sourcing=True,
              min_local_share=0.3)


async def solved(user, seconds=120.0):
    """Click Solve and wait for the solve to end; its status line (a solve may end before the
    page is looked at: its status then differs from the one before)."""
    before = text_of(user, "solve-status")
    by_id(user, "solve").click()
    await until(lambda: (now := text_of(user, "solve-status")).startswith("solving") or now != before)
    await until(lambda: not text_of(user, "solve-status").startswith("solving"), seconds)
    return text_of(user, "solve-status")


async def base_solved(user) -> Session:
    """Open the page and solve the example's base; the page's session."""
    await user.open("/")
    assert (await solved(user)).startswith("ok")
    return user.sessions[-1]


async def base_stress_tested(user) -> Session:
    """:func:`base_solved`, then the stress test of its design, shown."""
    session = await base_solved(user)
    by_id(user, "stress").click()
    await until(lambda: session.stress is not None, 120)
    await user.should_see("failures replayed on the design of scenario 'base'.", retries=20)
    return session


async def slow_solve_started(user) -> Session:
    """Open the page and start solving :data:`SLOW`; the page's session."""
    await user.open("/")
    session = user.sessions[-1]
    session.policy = SLOW
    by_id(user, "solve").click()
    await until(lambda: text_of(user, "solve-status").startswith("solving"))
    return session


@on_pages
async def test_new_data_while_solving_discards_the_solve(user):
    session = await slow_solve_started(user)
    by_id(user, "roadmap-example").click()  # new data while the old data's solve runs
    await until(lambda: not text_of(user, "solve-status").startswith("solving"), 120)
    assert text_of(user, "solve-status").startswith("discarded after")
    assert "the data changed while it was solving" in text_of(user, "solve-status")
    assert session.is_roadmap and session.plan is None and session.roadmap is None
    assert session.scenarios == {}  # the old data's result is attached to nothing


@on_pages
async def test_the_page_names_its_uploads_and_reads_in_contrast(user):
    """Both file inputs were "Choose File" to a screen reader; white on NiceGUI's light blue read at
    3.1:1 (tests/browser checks the input's name in chromium)."""
    from resilient_sc.app import ui as app_ui

    await user.open("/")  # the scripts that use them are in every page's head: see the server's test below
    labels = {element(user, t).props.get("data-label") for t in ("upload-data", "upload-policy")}
    assert labels == {"Upload a workbook (.xlsx) or zipped CSV folder (.zip)",
                      "Load a policy file (.yaml, .yml, .json)"}
    def luminance(hex_colour: str) -> float:  # WCAG 2's relative luminance
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert (1.0 + 0.05) / (luminance(app_ui.PRIMARY) + 0.05) >= 4.5  # white text on the buttons


@on_pages
async def test_new_data_clears_the_last_solves_status_and_a_plan_says_its_own_cost(user):
    """The old data's "ok · gap · best plan 11,914,791" stayed up beside new data; and the
    template's status gave the facility route's reduced MIP (65,200) beside its plan's 70,200."""
    session = await base_solved(user)
    by_id(user, "template").click()
    await until(lambda: session.plan is None)
    assert text_of(user, "solve-status") == ""
    assert (await solved(user)).endswith(f"best plan {money_label(session.plan.objective)}")
    assert session.plan.objective == pytest.approx(70_200.0)


@on_pages
async def test_new_data_while_stress_testing_discards_the_stress_test(user):
    session = await base_solved(user)
    by_id(user, "stress").click()
    await until(lambda: session.plan is not None and not element(user, "stress").enabled)
    by_id(user, "example").click()  # new data (the example again) while the old design is stress-tested
    await until(lambda: element(user, "stress").enabled, 120)
    assert session.stress is None and session.scenarios == {}
    await user.should_see(content="stress test discarded after")
    await user.should_not_see(content="failures replayed on")


@on_pages
async def test_a_new_solve_stops_the_stress_test_of_the_design_shown(user):
    session = await base_solved(user)
    by_id(user, "stress").click()
    await until(lambda: not element(user, "stress").enabled)
    (stress,) = session.jobs
    session.policy = Policy(min_local_share=0.5)
    by_id(user, "solve").click()  # its design replaces the one being tested: the test is stopped
    await until(lambda: not stress.running, 10)
    await until(lambda: element(user, "stress").enabled, 120)
    await user.should_see(content="a new solve replaces the design it tested; run it again for the new")
    await until(lambda: not text_of(user, "solve-status").startswith("solving"), 120)
    assert session.stress is None and text_of(user, "solve-status").startswith("ok")


@on_pages
async def test_a_large_table_shows_its_first_rows_and_says_so(user, monkeypatch):
    """Every row went to the browser: a 1M-row table was a 66 MB grid."""
    from resilient_sc.app import data_page

    monkeypatch.setattr(data_page, "GRID_ROWS", 5)
    await user.open("/")
    n = len(user.sessions[-1].frames["lanes"])
    assert text_of(user, "grid-cut-lanes") == (f"Showing the first 5 of {n:,} rows: edit the others in your "
                                               "file and upload it again.")


@on_pages
async def test_a_double_click_on_solve_starts_one_solve(user):
    """Two clicks before the first one's handler disabled the button started two solves; when
    the first ended the second crashed (AttributeError on the job cleared) and its result was lost."""
    await user.open("/")
    session = user.sessions[-1]
    started = []
    start = session.start
    session.start = lambda *args, **kw: started.append(args) or start(*args, **kw)  # type: ignore[method-assign]
    button = by_id(user, "solve")
    button.click()
    button.click()
    await asyncio.sleep(0.3)
    assert len(started) == 1
    await until(lambda: not text_of(user, "solve-status").startswith("solving"), 120)
    assert text_of(user, "solve-status").startswith("ok") and list(session.scenarios) == ["base"]


@on_pages
async def test_a_scenario_name_taken_is_never_overwritten(user, base_plan):
    session = await base_solved(user)
    base = session.scenarios["base"]
    session.policy = Policy(min_local_share=0.5)
    by_id(user, "scenario-name").type("base")
    by_id(user, "solve").click()  # refused before solving: the base stays the base
    await until(lambda: text_of(user, "solve-status").startswith("not solved"))
    assert "the name 'base' is kept for the policy that sets no field" in text_of(user, "solve-status")
    assert list(session.scenarios) == ["base"] and session.scenarios["base"] is base
    session.policy = Policy()
    by_id(user, "solve").click()  # the base policy named 'base' again: taken, never replaced
    await until(lambda: "exists already" in text_of(user, "solve-status"))
    assert "a scenario named 'base' exists already" in text_of(user, "solve-status")
    assert base.policy.is_base and base.plan.objective == pytest.approx(base_plan.objective)
    session.policy = Policy()  # the base policy again, named by its policy: numbered, not replaced
    element(user, "scenario-name").value = ""
    status = await solved(user)
    assert status.startswith("ok") and status.endswith("kept as scenario 'base (2)' ('base' is taken)")
    assert list(session.scenarios) == ["base", "base (2)"] and session.scenarios["base"] is base


@on_pages
async def test_a_share_typed_with_a_decimal_comma_is_refused_not_read_ten_times_larger(user):
    """'0,1' in a number box reached the app as 01: min_local_share {Europe: 1} solved without a
    word (app audit). Typed as text, it is refused with the fix, as the data grid refuses it."""
    await user.open("/")
    session = user.sessions[-1]
    box = by_id(user, "key-min_local_share-Europe")
    (typed,) = box.elements
    # named with its field: each grid's box was 'Europe (region)' to a screen reader (accessibility audit)
    assert typed.props["aria-label"] == "min_local_share: Europe (region)"
    with user:
        typed.value = "0,1"
    await asyncio.sleep(0.1)
    expected = "min_local_share['Europe']: '0,1' is not a number; type 0.1 (with a decimal point)"
    assert typed.error == expected and text_of(user, "policy-problems") == f"Correct it to solve: {expected}"
    assert session.policy.min_local_share is None
    with user:
        typed.value = "0.1"
    assert session.policy.min_local_share == {"Europe": 0.1}


def test_a_solve_that_may_run_several_mips_says_so_from_the_first():
    """max_country_share 0.4 (caps added where a plan breaks them) and single_sourcing (markets'
    hubs fixed in rounds) ran a first MIP whose figures read as the policy's, unlabelled until a
    second began: its best plan below, or its bound above, the plan found (app audit)."""
    from resilient_sc.app.solve_page import in_rounds

    for policy in (Policy(max_country_share=0.4), Policy(single_sourcing=True), Policy(survive=("hub",)),
                   Policy(max_region_share={"2027": 0.5})):
        assert in_rounds(policy), policy
        assert progress_text(LOG_SAMPLE, in_rounds(policy)).startswith(f"{ROUNDS} · gap 0.28% · round's ")
    assert not in_rounds(Policy(min_local_share=0.5, min_suppliers=2))


def test_a_scenarios_reasons_stay_apart_in_its_table_cell():
    """A table cell shows no line ends: an infeasible scenario's reasons ran together ('... add
    capacity in CA max_country_share 0: ...'; app audit)."""
    from resilient_sc.app.compare_page import _formatted

    df = pd.DataFrame({"policy": ["caps"], "cost": [math.nan],
                       "reason": ["add capacity in CA\nmax_country_share 0"]})
    assert _formatted(df, ["policy", "cost", "reason"]) == [
        {"policy": "caps", "cost": "", "reason": "add capacity in CA; max_country_share 0"}]


def test_the_service_level_grid_says_markets_without_a_value_are_held_in_full():
    """'the others no requirement (a service level of 1)' said the opposite of the level they get:
    all their demand after every failure (app audit)."""
    from resilient_sc.app.policy_page import key_help

    said = key_help("service_level", "fraction of demand", False)
    assert "the others a service level of 1 (all their demand after every failure)" in said
    assert "no requirement" not in said and "no requirement" in key_help("min_local_share", "x", False)


@on_pages
@pytest.mark.parametrize(("field", "typed"), [("min_local_share", 1.5), ("service_level", -0.2),
                                              ("max_country_share", 50)])
async def test_a_policy_value_out_of_range_is_named_and_not_used(user, field, typed):
    await user.open("/")
    session = user.sessions[-1]
    box = by_id(user, f"key-{field}-Europe")
    (number,) = box.elements
    with user:
        number.value = typed
    box.trigger("blur")  # where NiceGUI clamped a number to its min and max
    await asyncio.sleep(0.1)
    expected = f"{field}['Europe'] == {typed:g}, must be in [0, 1]" + (
        "; a share is a fraction: 0.5 for 50%" if typed == 50 else "")
    assert number.value == typed and number.error == expected  # shown, not clamped
    assert number.props["aria-invalid"] == "true"  # a box tabbed back to says so, not its message alone
    assert text_of(user, "policy-problems") == f"Correct it to solve: {expected}"
    assert getattr(session.policy, field) is None  # the value is not used
    by_id(user, "solve").click()
    await until(lambda: text_of(user, "solve-status").startswith("not solved"))
    assert text_of(user, "solve-status").endswith(expected) and session.scenarios == {}
    with user:
        number.value = 0.5  # corrected: used
    assert getattr(session.policy, field) == {"Europe": 0.5} and number.props["aria-invalid"] == "false"
    assert text_of(user, "policy-problems") == ("" if field != "service_level" else  # needs survive
                                                "Correct it to solve: service_level == {'Europe': 0.5} does "
                                                "nothing without survive; set survive too, or leave "
                                                "service_level out")


@on_pages
async def test_a_frontier_and_a_stress_test_stop_and_leave_the_page_as_it_was(user):
    """Neither had a Stop: 200 frontier values ran for many minutes, ended only by new data."""
    session = await base_solved(user)
    by_id(user, "frontier-values").type(", 0.35, 0.45, 0.55, 0.65, 0.85")
    by_id(user, "frontier").click()
    await until(lambda: text_of(user, "frontier-status").startswith("frontier of min_local_share: solving 9"))
    await until(lambda: text_of(user, "frontier-status").endswith("each… 1 s"), 30)  # it ticks: not frozen
    by_id(user, "stop-frontier").click()
    await until(lambda: "stopped after" in text_of(user, "frontier-status"), 60)
    assert text_of(user, "frontier-status").endswith("; nothing shown changed") and session.frontier is None
    assert element(user, "frontier").enabled and not element(user, "stop-frontier").enabled
    by_id(user, "stress").click()
    await until(lambda: element(user, "stop-stress").enabled)
    by_id(user, "stop-stress").click()
    await user.should_see(content="stress test stopped after", retries=100)
    assert session.stress is None and element(user, "stress").enabled and not session.jobs
    button = by_id(user, "stress")  # a double click: one stress test, shown (the second said 'stopped')
    button.click()
    button.click()
    await until(lambda: text_of(user, "stress-status").startswith("stress test:"), 120)
    await until(lambda: not session.jobs, 120)  # a second handler, had it run, has now said 'stopped'
    await asyncio.sleep(0.2)
    assert text_of(user, "stress-status").startswith("stress test: ok in") and session.stress is not None


@on_pages
async def test_after_stop_nothing_uses_the_plan_of_an_earlier_solve(user):
    session = await base_solved(user)
    session.policy = SLOW
    by_id(user, "solve").click()
    await until(lambda: text_of(user, "solve-status").startswith("solving"))
    by_id(user, "stop").click()
    await until(lambda: text_of(user, "solve-status").startswith("stopped"), 120)
    assert session.plan is None and session.stress is None and list(session.scenarios) == ["base"]
    assert text_of(user, "no-plan") == "stopped: no plan"
    # the last round's figures (gap 0.00% on a MIP with some of the failures) read as a proven plan
    status = text_of(user, "solve-status")
    assert status.endswith(ROUNDS_STOPPED) and "gap" not in status
    headers = {c["name"]: c["label"] for c in element(user, "premium-table").columns}
    assert headers["premium_pct"] == "premium over the base design (%)"  # not the frontier's reference
    by_id(user, "stress").click()  # no stress test of the earlier design, nor its workbook
    by_id(user, "export").click()
    await user.should_see("the last solve was stopped before it found a plan: the stress test replays "
                          "failures on a plan's design; solve a policy (step 3)")
    await user.should_see("the last solve was stopped before it found a plan: the workbook needs a plan; "
                          "solve a policy (step 3)")
    assert not user.download.http_responses


@on_pages
async def test_the_report_says_while_it_is_written_and_then_its_size(user):
    """20 scenarios' report took 65 s behind a 5-second toast and a greyed button (scale audit): a
    status beside the button says what is written, the seconds, then its size."""
    pytest.importorskip("plotly")
    session = await base_solved(user)
    by_id(user, "export-report").click()
    await until(lambda: text_of(user, "report-status").startswith("report written in "), 120)
    said = text_of(user, "report-status")
    assert re.fullmatch(r"report written in \d+ s \(\d+(\.\d)? [KM]B\), downloading", said), said
    assert element(user, "report-status").props["role"] == "status" and session.base_scenario() is not None
    await until(lambda: user.download.http_responses)


@on_pages
async def test_a_solve_in_rounds_labels_its_progress_as_the_rounds(user):
    await user.open("/")
    session = user.sessions[-1]
    session.policy = SLOW  # survive: failures added in rounds, a MIP each
    seen = []
    by_id(user, "solve").click()
    await until(lambda: text_of(user, "solve-status").startswith("solving"))

    def ended():
        seen.append(text_of(user, "solve-status"))
        return not seen[-1].startswith("solving")

    await until(ended, 120)
    with_cost = [t for t in seen if "best plan" in t]
    assert len(with_cost) > 1, seen
    assert all(f" · {ROUNDS} · " in t and "round's best plan" in t for t in with_cost[:-1])
    assert session.plan is not None  # done: the plan's own figures, not the last round's
    assert seen[-1].startswith("ok in ") and seen[-1].endswith(outcome_text(session.plan))


@on_pages
async def test_a_plan_solved_with_the_previous_policy_says_so(user):
    await user.open("/")
    assert (await solved(user)).startswith("ok")
    assert text_of(user, "solve-stale") == ""
    switch = element(user, "switch-min_local_share")
    with user:
        switch.value = True  # the policy changes on step 2; the plan shown is the base's
    assert text_of(user, "solve-stale") == ("Solved with the previous policy (no resilience policy "
                                            "(cost-optimal)), not the one now set on step 2: solve again "
                                            "for it.")
    with user:
        switch.value = False  # the base again: the plan shown is of it
    assert text_of(user, "solve-stale") == ""
    with user:
        switch.value = True
    assert (await solved(user)).startswith("ok")
    with user:
        switch.value = False  # said in words, not as a Python dict ({'min_local_share': 0.5}: app audit)
    assert text_of(user, "solve-stale").startswith("Solved with the previous policy (min_local_share 0.5), ")


@on_pages
async def test_a_new_solve_clears_the_stress_test_of_the_earlier_design(user):
    session = await base_stress_tested(user)
    session.policy = Policy(min_local_share=0.5)
    assert (await solved(user)).startswith("ok")
    assert session.stress is None
    await user.should_not_see("failures replayed on the design of scenario")
    await user.should_see("the design stress-tested before is not the current one (solved since): run the "
                          "stress test again for it; the earlier one stays with its scenario")


@on_pages
async def test_grid_edits_not_in_use_are_shown_as_pending(user):
    from nicegui import ui
    from nicegui.testing.user_interaction import UserInteraction

    await user.open("/")
    session = user.sessions[-1]
    (hubs,) = [g for g in user.find(kind=ui.aggrid).elements if g.options["columnDefs"][0]["field"] == "hub"]
    UserInteraction(user, {hubs}, None).trigger("cellValueChanged",  # a cell of the hubs grid edited
                                                {"colId": "capacity", "rowId": 0, "newValue": "1"})
    assert text_of(user, "pending-edits") == ("Pending edits (last: hubs, capacity): not in use until you "
                                              "click Use edits, which validates them; nothing is solved "
                                              "until then (open the data again to drop them).")
    assert float(session.network.hubs.loc[0, "capacity"]) != 1.0  # not in use yet
    # the steps past the data say so too: their plan and exports are of the data in use (app audit)
    await until(lambda: all(text_of(user, f"pending-{step}") == pending_words("hubs, capacity") != ""
                            for step in ("solve", "compare", "export")))
    by_id(user, "use-edits").click()
    assert float(session.network.hubs.loc[0, "capacity"]) == 1.0 and text_of(user, "pending-edits") == ""
    assert session.pending_edits == ""  # the steps' banners follow it
    # the text typed reaches the reader: AG Grid's number parser stored '101,19' as 10119 and 'lots'
    # as blank (an unlimited capacity), and the edits were 'validated' (audit in Chromium)
    assert hubs.options["defaultColDef"]["cellDataType"] is False
    assert [c["headerName"] for c in hubs.options["columnDefs"]][:2] == ["hub", "country"]
    UserInteraction(user, {hubs}, None).trigger("cellValueChanged",
                                                {"colId": "capacity", "rowId": 0, "newValue": "1,5"})
    by_id(user, "use-edits").click()
    assert [r["message"] for r in element(user, "problems").rows] == [
        "capacity '1,5' is not a number; type 1.5 (with a decimal point)"]
    assert text_of(user, "refused").startswith("Not used: the edits (1 problem); the data in use is still")
    assert float(session.network.hubs.loc[0, "capacity"]) == 1.0  # the data as last validated
    # events no grid sends (a crafted request) change nothing: they raised on the server, or added rows
    before = session.frames["hubs"].copy()
    for args in ({"colId": "nope", "rowId": 0, "newValue": "1"}, {"colId": "capacity", "rowId": "x"},
                 {"colId": "capacity", "rowId": 0, "newValue": {"a": 1}}, {"colId": "capacity", "rowId": -5},
                 {"colId": "capacity", "rowId": 100_000_000, "newValue": "7"}, {"rowId": 0}):
        UserInteraction(user, {hubs}, None).trigger("cellValueChanged", args)
    pd.testing.assert_frame_equal(session.frames["hubs"], before)


@on_pages
async def test_grid_rows_are_added_and_deleted(user):
    """The template gave one row per table and no way to add a second supplier (app audit): a
    row added or the ticked rows deleted are pending edits like a cell's, used by Use edits."""
    from nicegui import ui
    from nicegui.testing.user_interaction import UserInteraction

    def grid():
        return next(g for g in user.find(kind=ui.aggrid).elements
                    if g.options["columnDefs"][0]["field"] == "hub")

    await user.open("/")
    session = user.sessions[-1]
    n = len(session.frames["hubs"])
    by_id(user, "add-row-hubs").click()
    assert len(session.frames["hubs"]) == n + 1 and text_of(user, "pending-edits").startswith(
        "Pending edits (last: hubs, a row added)")
    await until(lambda: len(grid().options["rowData"]) == n + 1, 10)  # drawn again, in the background

    for col, value in (("hub", "H_New"), ("country", "DE")):  # the new row typed in
        UserInteraction(user, {grid()}, None).trigger("cellValueChanged",
                                                      {"colId": col, "rowId": n, "newValue": value})
    drawn = grid().id
    by_id(user, "use-edits").click()
    assert len(session.network.hubs) == n + 1 and "H_New" in set(session.network.hubs["hub"])
    await until(lambda: grid().id != drawn, 10)  # drawn again from the data now in use
    rows = grid().options["rowData"]
    assert [r["_i"] for r in rows] == list(range(n + 1))

    async def ticked(*args, **kwargs):  # the browser's answer: the new row ticked
        return [rows[-1]]

    grid().get_selected_rows = ticked
    by_id(user, "delete-rows-hubs").click()
    await until(lambda: len(session.frames["hubs"]) == n, 10)
    by_id(user, "use-edits").click()
    assert len(session.network.hubs) == n and text_of(user, "pending-edits") == ""


@on_pages
async def test_the_datas_warnings_are_shown_by_table_and_row(user):
    """A tariff rate typed as 25 (for 25%) was warned of in the server's log only: the data page
    lists the warnings of the data in use."""
    from nicegui import ui
    from nicegui.testing.user_interaction import UserInteraction

    await user.open("/")
    assert not user.sessions[-1].network.warnings  # the example warns of nothing
    (tariffs,) = [g for g in user.find(kind=ui.aggrid).elements
                  if g.options["columnDefs"][0]["field"] == "origin_country"]
    UserInteraction(user, {tariffs}, None).trigger("cellValueChanged",
                                                  {"colId": "rate", "rowId": 0, "newValue": "25"})
    with pytest.warns(DataWarning, match="rate 25 is 2,500%"):
        by_id(user, "use-edits").click()
    (table,) = by_id(user, "data-warnings").elements
    assert [(r["table"], r["row"], r["column"]) for r in table.rows] == [("tariffs", "2", "rate")]
    assert table.rows[0]["message"].startswith("rate 25 is 2,500% of unit_value")


@on_pages
async def test_a_file_of_another_kind_is_refused_with_a_message(user):
    await user.open("/")
    by_id(user, "upload-data").trigger("rejected")  # what the browser's uploader does with a .csv
    (table,) = by_id(user, "problems").elements
    assert [r["message"] for r in table.rows] == [
        "the file was not read: expected an .xlsx workbook or a .zip of CSV files (for CSV files, zip their "
        "folder) of at most 256 MB (the server's limit: whoever runs it can raise it with "
        "RESILIENT_SC_MAX_FILE_MB)"]
    assert element(user, "upload-data").props["max-file-size"] == 256 * 1024 * 1024  # the browser checks it
    by_id(user, "upload-policy").trigger("rejected")
    await user.should_see("the file was not read: expected a policy file (.yaml, .yml or .json) of at most "
                          "1024 KB")
    # the server holds each uploader to its own limit (a policy file of 200 MB was read whole, to disk
    # and memory, before its 1 MB limit refused it: security audit)
    from resilient_sc.app.ui import upload_limit, upload_too_large

    policy_url, data_url = (element(user, t).props["url"] for t in ("upload-policy", "upload-data"))
    assert upload_limit(policy_url) == (
        1024 * 1024, "1024 KB per policy file (set RESILIENT_SC_MAX_POLICY_KB to raise it)")
    two_mb = str(2 * 1024 * 1024)
    assert upload_too_large(policy_url, two_mb) and not upload_too_large(data_url, two_mb)


@on_pages
async def test_upload_messages_name_the_users_file(user):
    from nicegui import ui
    from nicegui.elements.upload_files import SmallFileUpload

    await user.open("/")
    session = user.sessions[-1]
    (policy_upload,) = by_id(user, "upload-policy").elements
    emptied = []  # after each file, as the data's: the same file again read 'duplicate' (scale audit)
    policy_upload.reset = lambda: emptied.append(True)
    with user:
        await policy_upload.handle_uploads([SmallFileUpload("my policy.yaml", "", b"min_local_share: [\n")])
    await user.should_see("policy file my policy.yaml: 1 problem:")
    assert emptied == [True]
    assert not any("uploaded-policy" in m or str(session.workdir) in m for m in user.notify.messages)
    # a line per problem under the uploader (a notification ran them on: ' - (policy) | …')
    said = text_of(user, "policy-file-problems")
    assert said.startswith("policy file my policy.yaml: 1 problem:\n  - ")
    assert str(session.workdir) not in said
    assert ("the policy file my policy.yaml was not used: its problems are listed under it"
            in user.notify.messages)
    by_id(user, "upload-policy").trigger("rejected")  # another file refused: those problems are not its
    assert text_of(user, "policy-file-problems") == ""
    (data_upload,) = by_id(user, "upload-data").elements
    with user:
        await data_upload.handle_uploads([SmallFileUpload("plant A.xlsx", "", b"not a workbook")])
    await user.should_see(kind=ui.table, retries=40)
    (table,) = by_id(user, "problems").elements
    messages = " ".join(r["message"] for r in table.rows)
    assert "uploaded.xlsx" not in messages and str(session.workdir) not in messages
    assert table.rows[0]["table"] == "plant A.xlsx"


@on_pages
async def test_an_upload_read_while_other_data_was_opened_is_not_used(user):
    """A file that took 25 s to read replaced the roadmap example opened (and solved) meanwhile:
    the upload ended last and won, its scenarios gone (app audit). Now it is read in a process of
    its own, its status and a Stop button shown, and it is stopped and not used if other data is
    asked for meanwhile; a file read alone is used and said so."""
    from nicegui.elements.upload_files import SmallFileUpload

    await user.open("/")
    session = user.sessions[-1]
    book = edited_workbook(session).read_bytes()
    (data_upload,) = by_id(user, "upload-data").elements
    with user:
        reading = asyncio.create_task(data_upload.handle_uploads([SmallFileUpload("plant A.xlsx", "", book)]))
    await until(lambda: text_of(user, "reading").startswith("Reading plant A.xlsx"))
    assert element(user, "stop-reading").visible
    by_id(user, "roadmap-example").click()
    await reading  # (the upload's handler runs on: its end is awaited below)
    said = "plant A.xlsx was not used: other data was opened while it was read"
    await until(lambda: said in user.notify.messages)
    assert session.is_roadmap and session.source != "plant A.xlsx"
    assert not session.jobs  # its read stopped when the example was opened, not run to its end
    assert text_of(user, "reading") == "" and not element(user, "stop-reading").visible
    with user:
        await data_upload.handle_uploads([SmallFileUpload("plant A.xlsx", "", book)])
    await until(lambda: "plant A.xlsx read: it is the data in use" in user.notify.messages)
    assert session.source == "plant A.xlsx" and not session.is_roadmap


@on_pages
async def test_an_upload_stopped_while_read_leaves_the_data_in_use(user):
    from nicegui.elements.upload_files import SmallFileUpload

    await user.open("/")
    session = user.sessions[-1]
    before = session.network
    (data_upload,) = by_id(user, "upload-data").elements
    with user:
        reading = asyncio.create_task(data_upload.handle_uploads(
            [SmallFileUpload("big.xlsx", "", edited_workbook(session).read_bytes())]))
    await until(lambda: element(user, "stop-reading").visible)
    by_id(user, "stop-reading").click()
    await reading
    await until(lambda: text_of(user, "reading").startswith("Reading big.xlsx stopped; the data in use is "
                                                            "still"))
    assert session.network is before
    assert not session.jobs


@on_pages
async def test_an_empty_policy_file_says_it_is_the_base(user):
    """It loaded as the base policy with 'policy loaded from empty.yaml', every setting cleared."""
    from nicegui.elements.upload_files import SmallFileUpload

    await user.open("/")
    session = user.sessions[-1]
    session.policy = Policy(min_local_share=0.5)
    (policy_upload,) = by_id(user, "upload-policy").elements
    with user:
        await policy_upload.handle_uploads([SmallFileUpload("empty.yaml", "", b"{}\n")])
    await user.should_see("policy loaded from empty.yaml: it sets no field, so it is the base policy (every "
                          "setting cleared)")
    assert session.policy.is_base


@on_pages
async def test_a_slider_whose_switch_is_off_is_disabled_and_named(user):
    await user.open("/")
    slider, switch = element(user, "slider-min_local_share"), element(user, "switch-min_local_share")
    assert slider.props["aria-label"] == "min_local_share"
    assert not switch.value and not slider.enabled and "label-always" not in slider.props
    with user:
        switch.value = True
    assert slider.enabled and "label-always" in slider.props


def test_a_roadmap_stress_figure_names_its_period(paths):
    """The exported figures of a roadmap's stress test (one per period) say which period's design
    they replay failures on."""
    pytest.importorskip("plotly")
    pytest.importorskip("matplotlib")
    glide, chosen = paths.roadmap, paths.period
    paths.stress = {"2030": stress_test(in_period(paths.network, "2030"), glide.plans["2030"])}
    try:
        titles = [t for t, _ in figures(paths) if t.startswith("Demand served per failure")]
        paths.period = "2027"  # not tested: the page shows 2030's test, and so does the export (it had none)
        assert [t for t, _ in figures(paths) if t.startswith("Demand served per failure")] == titles
    finally:
        paths.stress, paths.period = None, chosen  # the fixture is shared by the module's roadmap tests
    assert titles and all(t.startswith("Demand served per failure of the design of period 2030 of the path "
                                       "under max_country_share {2027: 0.6") for t in titles)


@on_pages
async def test_an_infeasible_policy_shows_its_reasons_and_no_gap(user):
    await user.open("/")
    user.sessions[-1].policy = Policy(min_suppliers=99)
    status = await solved(user)
    assert status.startswith("infeasible in ") and "gap" not in status, status
    await user.should_see("No plan meets the policy:")


@on_pages
async def test_the_timeline_hides_a_country_by_keyboard_too(user):
    """The timeline's legend hid a country's bars by mouse alone (accessibility audit): a picker
    of the countries shown does it by keyboard too."""
    from nicegui import ui

    await user.open("/")
    by_id(user, "roadmap-example").click()
    session = user.sessions[-1]
    await until(lambda: session.is_roadmap)
    session.policy = Policy()
    assert (await solved(user)).startswith("ok")
    (pick,) = by_id(user, "timeline-countries").elements
    (chart,) = by_id(user, "roadmap-timeline").elements
    traces = {i: t.name for i, t in enumerate(chart.figure.data) if t.legendgroup == "countries"}
    assert sorted(pick.options) == sorted(traces) and list(pick.value) == list(traces)
    first, *rest = traces
    with user:
        pick.value = rest
    assert chart.figure.data[first].visible == "legendonly"
    assert all(chart.figure.data[i].visible is True for i in rest)
    assert isinstance(pick, ui.select)


def slow_cost_optimal_path(network, options):
    """The cost-optimal path, a minute late: a job of the page's to stop while it runs."""
    time.sleep(60)
    return cost_optimal_path(network, options)


@on_pages
async def test_a_roadmaps_cost_optimal_path_is_said_and_stop_keeps_the_policys_path(user, monkeypatch):
    """The first roadmap solve solves the cost-optimal path after the policy's, for the premium: the
    status line showed the finished path's last figures meanwhile (the solve seemed to hang past its
    time limit), and Stop then lost the path found (scale audit)."""
    from resilient_sc.app import solve_page

    monkeypatch.setattr(solve_page, "cost_optimal_path", slow_cost_optimal_path)
    await user.open("/")
    by_id(user, "roadmap-example").click()
    session = user.sessions[-1]
    await until(lambda: session.is_roadmap)
    by_id(user, "solve").click()
    phase = "now the cost-optimal path (no policy), for the premium"
    await until(lambda: phase in text_of(user, "solve-status"))
    now = text_of(user, "solve-status")
    assert re.match(r"solving… [\d.]+ s · the policy's path found in [\d.]+ s; " + re.escape(phase), now), now
    by_id(user, "stop").click()
    await until(lambda: not text_of(user, "solve-status").startswith("solving"))
    said = text_of(user, "solve-status")
    assert said.startswith("ok in ") and said.endswith(
        "no premium: the cost-optimal path (no policy) was stopped (Stop) before it was found"), said
    assert session.roadmap is not None and session.base_scenario() is None  # the policy's path kept
    assert list(session.scenarios) == [scenario_name(session.policy)]
    # a cost-optimal path not found within the limits is said so, in the app's words (it read 'has no
    # roadmap: ... raise SolveOptions.time_limit (CLI: --time-limit)': review audit)
    monkeypatch.setattr(solve_page, "cost_optimal_path", no_plan_solve)
    said = await solved(user)
    assert ("no premium: the cost-optimal path (no policy) was not found within the limits: no plan: the "
            "time limit was reached before any feasible plan was found; raise the time limit (s) beside "
            "Solve · kept as scenario") in said, said


@on_pages
async def test_what_a_solve_warns_of_is_shown_with_its_result(user):
    """A glide path with no key for 2029 asks nothing there: the library warns, but in the solve's
    own process, whose warnings reached the server's terminal alone (app audit)."""
    await user.open("/")
    by_id(user, "roadmap-example").click()
    session = user.sessions[-1]
    await until(lambda: session.is_roadmap)
    session.policy = Policy(min_local_share={"2028": 0.3, "2030": 0.5})
    assert (await solved(user)).startswith("ok")
    await user.should_see("of this solve:")  # (also: a supplier that restarts for free in 2029)
    await user.should_see("has period keys '2028' and '2030' but none for '2029'", retries=1)


@on_pages
async def test_each_stop_button_names_what_it_stops(user):
    """Three buttons were named 'Stop' to a screen reader's list of buttons (app audit)."""
    await user.open("/")
    names = {t: element(user, t).props["aria-label"] for t in ("stop", "stop-frontier", "stop-stress")}
    assert names == {"stop": "Stop the solve", "stop-frontier": "Stop the frontier",
                     "stop-stress": "Stop the stress test"}


@on_pages
async def test_an_infeasible_solve_clears_the_stress_test_and_an_invalid_policy_is_no_scenario(user):
    session = await base_stress_tested(user)
    session.policy = Policy(min_suppliers=99)
    assert (await solved(user)).startswith("infeasible")
    assert session.plan is None and session.stress is None  # no current design, no stress test of one
    await user.should_not_see("failures replayed on the design of scenario")
    session.policy = Policy(excluded_countries=("XX",))  # names no country of the data
    status = await solved(user)
    assert status.startswith("invalid") and "not kept as a scenario: correct the policy" in status
    assert list(session.scenarios) == ["base", "min_suppliers=99"]
    assert [o.status for o in outcomes(session)] == ["optimal", "infeasible"]


@on_pages
async def test_a_tab_gone_mid_solve_stops_its_solve_and_removes_its_folder(user, monkeypatch):
    """... and the solve's handler, resumed when its job ends, draws nothing on the deleted page
    (it did: 'Client has been deleted but is still being used' in the server's log)."""
    import nicegui.helpers

    said: list[str] = []
    monkeypatch.setattr(nicegui.helpers, "warn_once", lambda message, **kw: said.append(message))
    session = await slow_solve_started(user)
    (job,) = session.jobs
    assert job.running
    user.client.delete()  # what NiceGUI does once the tab is closed (past the reconnect window)
    await until(lambda: not job.running, 10)
    await asyncio.sleep(1.0)  # the handler resumes after the job's end
    assert not session.workdir.exists()
    assert not [m for m in said if "deleted" in m]


def test_new_data_keeps_only_the_policy_it_names_and_says_what_it_left_out(tmp_path):
    s = Session.roadmap_example()
    assert s.open_example(False) == ("bundled example (electronics); the policy did not fit the new data: "
                                     "max_country_share: keys '2027', '2028', '2029', '2030' left out; "
                                     "min_local_share: keys '2028', '2029', '2030' left out")
    assert s.policy.is_base
    s.policy = Policy(excluded_countries=("MX", "CN"), min_local_share={"Europe": 0.4})
    note = s.replace_network(template_network(tmp_path), "template")  # countries FR and CN
    assert s.policy.excluded_countries == ("CN",) and note.endswith("excluded_countries: 'MX' left out")
    s.policy.check_network(s.network)  # what is kept fits: nothing hidden from the page's controls
    assert s.replace_network(examples.electronics(), "again") == ""


def test_a_roadmap_whose_cost_optimal_path_is_infeasible_keeps_the_policys_path():
    from .test_roadmap import paris, table

    with pytest.warns(DataWarning, match="short by 300 units"):  # demand over the capacity in 2027
        net = paris(demand=table("market demand period", ("Paris", 500.0, "2027")))
    kind, path = Job(solve_roadmap, [net, Policy(shortfall_penalty=1000.0), SolveOptions()]).wait()
    assert kind == "ok", path
    kind, (base, no_base) = Job(cost_optimal_path, [net, SolveOptions()]).wait()
    assert kind == "ok" and base is None and path.objective > 0 and "in period 2027" in no_base
    short = {r["period"]: r["short"] for r in roadmap_rows(path)}  # the table says what is left short
    assert short["2027"] == path.plans["2027"].short_words() != "" and short["total"] == ""


def test_premium_bars_name_the_scenario_they_are_over(base_plan):
    pytest.importorskip("plotly")
    s = Session.example()
    for share in (0.5, 0.3):  # the base policy never solved: the first scenario stands in for it
        policy = Policy(min_local_share=share)
        s.add_scenario(f"local {share}", policy, solve(s.network, policy))
    fig = premium_bars(premium_frame(s), reference_words(s))
    assert "over the cost of the scenario 'local 0.5'" in fig.layout.title.text.replace("<br>", " ")
    assert fig.layout.yaxis.title.text == "premium over the scenario 'local 0.5' (%)"
    s.add_scenario("base", Policy(), base_plan)
    assert reference_words(s) == "the base design"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("signum", [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP")
                                    if hasattr(signal, n)])
def test_the_server_stops_on_its_signal_with_one_json_object(signum):
    """Ctrl-C (or SIGTERM, or the terminal's hangup) is how the app ends: exit 0 and ``{"status":
    "stopped"}``, the only thing on stdout with --json (the address goes to stderr), no traceback
    (SIGHUP gave one: audit); a port in use or out of range is refused before the server starts."""
    pytest.importorskip("nicegui")
    port = free_port()
    command = [sys.executable, "-c", "import sys; from resilient_sc.console import main; sys.exit(main())",
               "app", "--no-browser", "--port", str(port), "--json"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=plain_env(), preexec_fn=default_signals)
    try:
        for _ in range(600):  # until it answers
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        code, data = run_cli(["app", "--no-browser", "--port", str(port), "--json"])  # a second server
        assert code == 2 and f"(--port) | port {port} on 127.0.0.1 cannot be used" in data["reason"], data
        server.send_signal(signum)
        out, err = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert json.loads(out) == {"status": "stopped"} and "Traceback" not in err, err
    printed = rf"serving on http://127\.0\.0\.1:{port}/\?token=[\w-]{{32}} \(Ctrl-C stops it\)"
    assert re.search(printed, err), err


def plain_env() -> dict[str, str]:
    """The environment without pytest's and NiceGUI's test settings (NiceGUI serves a test otherwise)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("NICEGUI", "PYTEST"))}


def run_cli(argv: list[str]) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "resilient_sc", *argv], capture_output=True, text=True,
                          timeout=120, env=plain_env())
    return done.returncode, json.loads(done.stdout)


def test_a_port_out_of_range_is_a_usage_error():
    code, data = run_cli(["app", "--port", "99999", "--json"])
    assert code == 2 and data["reason"].endswith("--port: '99999': give a port number from 1 to 65535")


def test_a_tab_whose_connection_drops_keeps_its_session(monkeypatch):
    """NiceGUI's default reconnect timeout (3 s) reloads a tab whose server was busy a few seconds
    (its edits and plans lost: the CI's browser run saw it after a solve); the server waits a minute."""
    ui = pytest.importorskip("nicegui").ui
    from resilient_sc.app import ui as app_ui

    seen = {}
    monkeypatch.setattr(ui, "run", lambda **kw: seen.update(kw))
    monkeypatch.setattr(ui, "page", lambda path: (lambda fn: fn))
    nicegui_app = pytest.importorskip("nicegui").app
    monkeypatch.setattr(nicegui_app, "middleware", lambda kind: (lambda fn: fn))
    added = []
    monkeypatch.setattr(nicegui_app, "add_middleware", lambda cls, **kw: added.append((cls, kw)))
    from nicegui import Client

    monkeypatch.setattr(Client, "shared_head_html", "")
    app_ui.serve(None, 8765, None, "t0ken")
    assert [(cls.__name__, kw) for cls, kw in added] == [("LocalOnly", {"port": 8765, "token": "t0ken"})]
    assert seen["reconnect_timeout"] == app_ui.RECONNECT_SECONDS >= 60 and seen["port"] == 8765
    # in the head of every page as served: added to a page built once connected, a script is inert text
    assert app_ui.LEAVE_WARNING in Client.shared_head_html and app_ui.UPLOAD_NAMES in Client.shared_head_html


def test_a_roadmap_stress_test_names_the_period_it_shows_and_those_left_out(paths):
    """A period without demand is not stress-tested: the page showed the first period's test under
    the name of the period chosen (2030, left out); it names the period shown and the one left out."""
    tested = {"2026": object(), "2027": object()}  # what roadmap_stress returns: the periods tested
    chosen = paths.period
    try:
        paths.period = "2030"
        assert shown_period(paths, tested) == ("2026", "Not stress-tested: 2028, 2029, 2030 (no demand above "
                                                       "0: no failure can leave a market short then).")
        paths.period = "2027"
        assert shown_period(paths, tested)[0] == "2027"
        assert shown_period(paths, dict.fromkeys(paths.period_ids())) == ("2027", "")
    finally:
        paths.period = chosen


def test_the_stress_table_lists_what_hurts_and_says_what_its_floor_is(base_plan):
    """Only failures that leave demand short or cost more are listed (four of no effect were among
    the 'worst'; one that lost no demand but cost more was not); at a penalty given the floor is
    'least served', what those prices serve; the heatmap counts the markets it leaves out
    (displays: one served in full under every failure)."""
    net = examples.electronics()
    plain, priced = stress_test(net, base_plan), stress_test(net, base_plan, penalty=40.0)
    worst = worst_failures(plain, n=100)
    felt = plain.hurt() | (plain.failures["extra_cost"] > 0)
    assert set(worst["failure"]) == set(plain.failures.loc[felt.to_numpy(bool), "failure"])
    assert (~plain.hurt() & felt).any() and len(worst) < len(plain.failures)
    assert "guaranteed = the fraction of demand every market and product is still guaranteed" in (
        stress_legend(plain))
    assert "least served = the least fraction of its demand any market gets of any product when flows are " \
           "re-routed at the penalties given for a unit short" in stress_legend(priced)
    pytest.importorskip("plotly")  # the heatmap: the app extra
    fig = served_heatmap(plain, "displays")
    with_demand = plain.served_matrix("displays").notna().any().sum()
    hidden = with_demand - len(fig.data[0].x)
    assert hidden == 1 and "1 market with demand for displays served in full in every row, not shown" in (
        title_words(fig))


def test_the_stress_legend_says_what_a_change_in_flow_cost_is_against():
    """Under near-shoring the design's replay with nothing failed re-routes without the policy's
    shares: its flows cost 11,093,127.10 where the plan's cost 11,342,393.05, and each failure's
    change in flow cost is against the former (the app said neither: code review)."""
    net = examples.electronics()
    plan = solve(net, Policy(min_local_share=0.5))
    said = stress_legend(stress_test(net, plan, failures=("country",)))
    assert "the change in flow cost against the design's replay with nothing failed" in said
    assert "whose flows cost 11,093,127.10 where the plan's own flows cost 11,342,393.05" in said


def test_the_premium_legend_says_which_designs_were_replayed_at_a_penalty(base_plan):
    """A design whose policy prices a unit short is stress-tested at that price: its worst served
    is what the price serves, not a guarantee, and the legend says whose it is."""
    net = examples.electronics()
    s = Session.example()
    shed = solve(net, Policy(shortfall_penalty=100.0))
    s.add_scenario("base", Policy(), base_plan).stress = stress_test(net, base_plan)
    s.add_scenario("shed", Policy(shortfall_penalty=100.0), shed).stress = stress_test(net, shed)
    legend = premium_legend(s)
    assert "for 'shed' (stress-tested at a penalty for a unit short) it is what that penalty's re-routing " \
           "serves, not a guarantee" in legend
    assert "'base'" not in legend.split("worst replayed failure")[1]


def test_the_path_table_has_the_last_periods_suppliers_and_hubs(paths):
    rows = premium_rows(paths)
    glide = paths.roadmap.plans[paths.period_ids()[-1]]
    (mine,) = [r for r in rows if r["policy"] == "glide path"]
    assert (int(mine["n_suppliers"]), int(mine["n_hubs"])) == (len(glide.suppliers), len(glide.hubs))


def test_a_roadmap_solve_says_which_period_it_solves_alone():
    """The status said 'in rounds' beside one period's cost while the periods were solved alone
    for the MIP start; a period id with a comma was cut at it."""
    log = "roadmap: period Q1, 2027 solved alone, for the roadmap's MIP start\n" + LOG_SAMPLE
    assert progress_text(log) == "finding a starting path: period Q1, 2027 solved alone"
    assert progress_text(log + "roadmap: every period at once\n").startswith("gap —")


def test_the_server_refuses_an_upload_over_the_limit_before_reading_it(tmp_path):
    """The uploader's size limit was the browser's word only: a 300 MB POST straight to the
    upload address was read whole (memory 160 -> 447 MB). The server itself answers 413."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    pytest.importorskip("nicegui", reason="nicegui is not installed (the app extra)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}  # NiceGUI's test mode off
    env["RESILIENT_SC_MAX_FILE_MB"] = "0.01"
    command = [sys.executable, "-m", "resilient_sc", "app", "--no-browser", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, preexec_fn=default_signals)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        token = re.search(r"token=([\w-]+)", proc.stdout.readline())[1]  # the address printed
        url = f"http://127.0.0.1:{port}/_nicegui/client/abc/upload/7"
        def post(n: int) -> None:
            request = urllib.request.Request(url, b"x" * n, method="POST",
                                             headers={"Cookie": f"resilient_sc_{port}={token}"})
            urllib.request.urlopen(request, timeout=30)

        with pytest.raises(urllib.error.HTTPError) as info:
            post(200_000)
        assert info.value.code == 413 and b"larger than the limit of 0.01 MB" in info.value.read()
        with pytest.raises(urllib.error.HTTPError) as info:  # within the limit: on to NiceGUI (no such tab)
            post(1000)
        assert info.value.code == 404
    finally:
        proc.terminate()
        proc.wait(10)


@on_pages
async def test_a_total_that_counts_penalties_shows_the_network_cost_beside_it(user):
    """Review: the solve page gave only 'Total cost', which counts the shortfall penalty of the
    demand a plan leaves short (and the summary and workbook already said the network cost)."""
    from resilient_sc.results import network_cost

    session = await base_solved(user)
    await user.should_not_see("design and flows; the rest of the total")  # the base pays no penalty
    session.policy = Policy(shortfall_penalty=60, min_local_share=0.5)
    assert (await solved(user)).startswith("ok")
    network = network_cost(session.plan)
    assert text_of(user, "network-cost").startswith(f"network: {network:,.0f} (money) — design")


@on_pages
async def test_edits_not_in_use_are_never_solved_as_if_they_were(user):
    """A demand edited in its grid but not used (Use edits not clicked): Solve gave the old data's
    plan, 'premium over base: +0.00%', and the planner read that the change cost nothing (app
    audit). The solve is refused until the edits are used; used, they are solved."""
    from nicegui import ElementFilter, ui
    from nicegui.testing.user_interaction import UserInteraction

    session = await base_solved(user)
    base = session.plan.objective
    with user:
        (grid,) = [g for g in ElementFilter(kind=ui.aggrid, local_scope=False)
                   if [c["field"] for c in g.options["columnDefs"]] == list(session.frames["demand"].columns)]
    edit = UserInteraction(user, {grid}, None)
    row = int(session.frames["demand"]["demand"].astype(float).idxmax())
    edit.trigger("cellValueChanged", {"colId": "demand", "rowId": str(row), "newValue": "1,5"})
    await until(lambda: session.pending_edits == "demand, demand")
    assert (await solved(user)).startswith("not solved: the data has edits not in use (last: demand, "
                                           "demand): click Use edits (step 1) to validate and use them")
    by_id(user, "use-edits").click()  # '1,5' is no number: refused, still not in use
    await until(lambda: any("is not a number" in str(r) for r in element(user, "problems").rows))
    assert session.pending_edits and session.plan.objective == base
    edit.trigger("cellValueChanged", {"colId": "demand", "rowId": str(row), "newValue": "1"})
    by_id(user, "use-edits").click()
    await until(lambda: session.pending_edits == "")
    assert (await solved(user)).startswith("ok") and session.plan.objective < base


def test_a_penalised_plans_premium_leads_with_the_reports_network_premium():
    """The Solve page gave a shortfall-penalty plan's premium as its total's alone (+11.79% where
    the network's was +42.49%: audit), then its network's over the base's network cost (+134.18%
    beside the report's 42.49%: review): now the report's numbers, network first."""
    from resilient_sc.analysis.premium import design_columns
    from resilient_sc.app.roadmap_view import plan_premium_text
    from resilient_sc.format import signed_pct_points

    net = examples.electronics()
    base = solve(net, Policy(shortfall_penalty=60.0))
    plan = solve(net, Policy(shortfall_penalty=60.0, min_local_share=0.5))
    row = design_columns(plan, base, {})
    assert plan_premium_text(plan, base) == (
        f"network {signed_pct_points(row['network_premium_pct'])}; with the shortfall and "
        f"disruption-scenario cost in the total, {signed_pct_points(row['premium_pct'])}")
    assert row["network_premium_pct"] > 3 * row["premium_pct"] > 0  # the numbers a planner would quote


def test_contracted_suppliers_carrying_nothing_say_why():
    """Under survive country, S_JP_Osaka and S_US_Phoenix are contracted with 0 volume (the
    backups N-1 needs) and S_US_Austin, status open, carries nothing in any plan: zeros a planner
    read as a fault (app audit)."""
    from resilient_sc.app.plan_view import idle_words

    plan = solve(examples.electronics(), Policy(survive=("country",)))
    volumes = plan.inbound.groupby("supplier")["quantity"].sum()
    idle = sorted(set(plan.supplier_ids) - set(volumes[volumes > 1e-9].index))
    assert idle == ["S_JP_Osaka", "S_US_Austin", "S_US_Phoenix"]
    assert idle_words(plan) == ("Contracted, carrying nothing: S_JP_Osaka and S_US_Phoenix (a backup the "
                                "policy asks for: survive country); S_US_Austin (status open).")
    assert idle_words(solve(examples.tiny())) == ""
    # an existing supplier may be stopped: the policy keeps it, not its status (review: 'its status,
    # existing' where without the policy it is not contracted)
    f = examples.tiny().frames()
    f["suppliers"] = f["suppliers"].assign(
        status=f["suppliers"]["supplier"].map({"S_FR": "existing", "S_CN": "candidate"}))
    tiny = Network.from_frames(**f)
    assert solve(tiny).supplier_ids == ["S_CN"]
    assert idle_words(solve(tiny, Policy(min_suppliers=2))) == (
        "Contracted, carrying nothing: S_FR (a backup the policy asks for: min_suppliers 2).")


@on_pages
async def test_a_frontier_says_its_policy_in_words(user):
    """'Over the policy ({'min_local_share': 0.5}) with ...': a Python dict on the planner's page (the
    fields in the policy's order, as the CLI and reports write them)."""
    session = await base_solved(user)
    session.policy = Policy(min_local_share=0.5, min_suppliers=2)
    by_id(user, "frontier-values").type("")  # the field's values as the page proposes them
    by_id(user, "frontier").click()
    await until(lambda: session.frontier is not None, 120)
    from nicegui import ElementFilter, ui

    with user:
        said = [e.text for e in ElementFilter(kind=ui.label, local_scope=False)
                if "Over the policy" in e.text]
    words = "Over the policy (min_suppliers 2, min_local_share 0.5) with min_local_share set to each value"
    assert len(said) == 1 and said[0].startswith(words), said


def test_closed_tabs_share_one_placeholder_network():
    """A closed tab's session is let go of its data, but the web framework's caches may keep the
    session itself: each held a tiny network of its own (160 KB; 150 tabs closed, 0.7 MB each:
    long-running audit). Closed sessions now share one."""
    first, second = Session.example(), Session.example()
    first.close()
    second.close()
    assert first.network is second.network and first.plan is None and first.frames == {}


def test_a_tab_closed_stops_its_jobs_at_once():
    """A closed or reloaded tab's frontier ran on at full CPU for the minute NiceGUI waits for a
    dropped connection: its page's pagehide beacon stops the tab's jobs now (the other tabs' run on)."""
    import time as clock

    from resilient_sc.app import ui

    closing, other = Session.example(), Session.example()
    ui.TABS.update({"closing-tab": closing, "other-tab": other})
    try:
        gone, kept = closing.start(clock.sleep, [60]), other.start(clock.sleep, [0.5])
        ui.tab_closed("closing-tab")
        ui.tab_closed("no-such-tab")  # a beacon of a tab already deleted: nothing to stop
        assert gone.wait() == ("stopped", "")
        assert kept.wait()[0] != "stopped"
    finally:
        for key in ("closing-tab", "other-tab"):
            ui.TABS.pop(key, None)
    assert "navigator.sendBeacon('/_resilient_sc/closed/' + window.clientId)" in ui.TAB_CLOSED


@on_pages
async def test_names_in_the_data_never_become_props_or_script(user, monkeypatch):
    """A region's id went into a props text: 'NA :data-x="alert(13)"' ran as JavaScript on the
    policy page (NiceGUI evaluates a prop written ':name') and 'North America' added a prop
    'America'; a scenario name with a backslash broke the props of the tables named by it. Each
    is now set as it is."""
    from nicegui import ElementFilter

    f = examples.electronics().frames()
    hostile = {"North America": 'NA :data-x="alert(13)"', "Latin America": "LA onmouseover=alert(14)"}
    f["countries"]["region"] = f["countries"]["region"].replace(hostile)
    monkeypatch.setattr(Session, "example", classmethod(
        lambda cls: cls.of(Network.from_frames(**f), "hostile")))
    await user.open("/")
    with user:
        props = [dict(e.props) for e in ElementFilter(local_scope=False)]
    injected = [k for p in props for k in p if k.startswith((":data-x", "onmouseover")) or k == "America"]
    assert not injected
    testids = {p.get("data-testid") for p in props}
    assert 'key-min_local_share-NA :data-x="alert(13)"' in testids

    from resilient_sc.app import access

    with user:
        from nicegui import ui

        table = access.named(ui.label(), "Scenarios against the scenario 'Nord\\x'")
    assert table.props["aria-label"] == "Scenarios against the scenario 'Nord\\x'"


def test_the_server_answers_only_its_planners_browser():
    """The server on 127.0.0.1 answered every local user (who read data their file permissions
    denied them) and any web page reaching it by DNS rebinding (an audit read the planner's grid
    from one): a request must name 127.0.0.1 or localhost at the port (an Origin too, where given)
    and carry the token of the address printed, which sets it as this port's cookie."""
    pytest.importorskip("starlette", reason="the app's server needs the app extra: pip install -e '.[app]'")
    from resilient_sc.app.guard import REFUSED, LocalOnly

    reached = []

    async def inner(scope, receive, send):
        reached.append(scope["type"])

    guard = LocalOnly(inner, 8765, "s3cret")

    def call(kind="http", host="127.0.0.1:8765", query="", cookie=None, origin=None, path=b"/"):
        headers = [(b"host", host.encode())] + ([(b"cookie", cookie.encode())] if cookie else []) + (
            [(b"origin", origin.encode())] if origin else [])
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": kind, "path": unquote(path.decode()), "raw_path": path,
                 "query_string": query.encode(), "headers": headers}
        asyncio.run(guard(scope, None, send))
        return sent

    refused = call()
    assert refused[0]["status"] == 403 and refused[1]["body"] == REFUSED.format(
        address="http://127.0.0.1:8765").encode()
    entered = call(query="token=s3cret&x=1")
    head = dict(entered[0]["headers"])
    assert entered[0]["status"] == 303 and head[b"location"] == b"/?x=1"  # the token off the address
    assert head[b"set-cookie"] == b"resilient_sc_8765=s3cret; Path=/; HttpOnly; SameSite=Strict"
    # another local app's cookies before ours (http.cookies gave up at the first odd one: 403)
    assert call(cookie='prefs={"theme":"dark"}; x=a b; resilient_sc_8765=s3cret') == []
    assert reached == ["http"]
    assert call(kind="websocket", cookie="resilient_sc_8765=s3cret", origin="http://127.0.0.1:8765") == []
    assert call(host="localhost:9000", cookie="resilient_sc_8765=s3cret") == []  # an SSH tunnel's port
    assert reached == ["http", "websocket", "http"]
    assert call(cookie="resilient_sc_8765=s3cret", query="token=s3cret")[0]["status"] == 303  # token dropped
    for rebound in (call(host="evil.example:8765", query="token=s3cret"),  # DNS rebinding
                    call(cookie="resilient_sc_8765=s3cret", origin="http://evil.example"),
                    call(cookie="resilient_sc_8765=s3cret", origin="http://localhost:8766"),  # another app
                    call(query="token=guess"), call(query="token=%C3%A9"),  # (a TypeError, a 500 before)
                    call(cookie="resilient_sc_8766=s3cret")):
        assert rebound[0]["status"] == 403
    assert call(kind="websocket") == [{"type": "websocket.close", "code": 1008}]
    assert reached == ["http", "websocket", "http"]
    # the address's path sent back as given, and always this server's (security audit: '//evil.example/x'
    # was sent on to evil.example, a line break raised, 'é' came back as 'Ã©')
    for path, target in [(b"//evil.example/x", b"/evil.example/x"), (b"/\\evil.example", b"/evil.example"),
                         (b"/%2F%2Fevil.example", b"/%2F%2Fevil.example"), (b"/%C3%A9", b"/%C3%A9"),
                         (b"/%0d%0aSet-Cookie:x", b"/%0d%0aSet-Cookie:x")]:
        assert dict(call(query="token=s3cret", path=path)[0]["headers"])[b"location"] == target, path


def test_an_uploads_copy_is_removed_once_read(tmp_path):
    """Every upload's copy stayed in the tab's folder until the tab closed (1 GB after four large
    ones, in /tmp: RAM on many systems); each is removed once read, read or refused."""
    book = tmp_path / "net.xlsx"
    write_excel(book, examples.tiny().frames())
    work = tmp_path / "tab"
    work.mkdir()
    assert read_upload(book.read_bytes(), "net.xlsx", work).suppliers.shape[0] == 2
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        for name, df in examples.tiny().frames().items():
            zf.writestr(f"tiny/{name}.csv", df.to_csv(index=False))
    assert read_upload(zipped.getvalue(), "tiny.zip", work).suppliers.shape[0] == 2
    with pytest.raises(ValidationError):
        read_upload(b"not a workbook", "bad.xlsx", work)
    assert load_policy(b"min_suppliers: 2\n", "p.yaml", work).min_suppliers == 2
    with pytest.raises(ValidationError):
        load_policy(b"min_supplier: 2\n", "p.yaml", work)
    assert list(work.iterdir()) == []


def time_limited_solve(network, policy, options):
    """A solve as the page runs it, its plan returned as one kept at a time limit (status
    time_limit, a bound 2% under its cost): no example stops at a limit with a plan every time."""
    import dataclasses

    from resilient_sc.solvers.base import Status

    assert options.time_limit == 30.0 and options.allow_nonoptimal  # as the box gave it
    plan = solve(network, policy, options)
    return dataclasses.replace(plan, status=Status.TIME_LIMIT, bound=plan.objective * 0.98, gap=0.02)


@on_pages
async def test_a_time_limit_is_read_as_typed_and_keeps_the_best_plan_said_not_proven(user):
    """The app had no time limit: a planner with a slow network could only Stop, which keeps no
    plan. The box is read as the policy boxes are ('0,5' refused); a plan kept at the limit is
    said not proven optimal, with its gap, in the status, above the plan and in Compare."""
    session = await base_solved(user)
    for typed, said in (("0,5", "'0,5' is not a number; type 0.5 (with a decimal point)"),
                        ("-3", "time_limit == -3.0, must be > 0 seconds")):
        by_id(user, "time-limit").type(typed)
        assert (await solved(user)) == f"not solved: time limit: {said}"
        element(user, "time-limit").set_value("")
    assert list(session.scenarios) == ["base"]
    started = session.start
    session.start = lambda fn, args, what="": started(time_limited_solve, args, what)
    session.policy = Policy(min_local_share=0.5)
    by_id(user, "time-limit").type("30")
    status = await solved(user)
    assert status.startswith("time limit reached, best found kept in") and "gap 2.0000%" in status
    assert text_of(user, "not-proven").startswith("Not proven optimal: the solve reached its time limit of "
                                                  "30 s and kept the best plan found.")
    assert "at most 2.0000% of its cost too dear" in text_of(user, "not-proven")
    said = ("The plans of min_local_share=0.5 are not proven optimal (the solve stopped at its limits): "
            "their costs are only upper bounds, and their premiums uncertain by their gaps.")
    await until(lambda: text_of(user, "premium-legend").endswith(said))  # Compare redrawn after the status
    table = element(user, "premium-table")
    assert [c["label"] for c in table.columns][1:3] == ["status", "gap (% of cost)"]
    assert [r["gap"] for r in table.rows] == ["0.0000%", "2.0000%"]
    session.start = lambda fn, args, what="": started(no_plan_solve, args, what)
    status = await solved(user)  # in words, not 'not_optimal in 20.8 s' (scale audit)
    assert status.startswith("no plan in ") and "not_optimal" not in status, status
    # a name typed while a solve runs is kept for the next (it was erased when the solve ended)
    session.start = lambda fn, args, what="": started(slow_solve, args, what)
    by_id(user, "solve").click()
    await until(lambda: text_of(user, "solve-status").startswith("solving"))
    element(user, "scenario-name").set_value("next one")
    await until(lambda: not text_of(user, "solve-status").startswith("solving"))
    assert element(user, "scenario-name").value == "next one"


def slow_solve(network, policy, options):
    """A solve that takes a second more, to act on the page while it runs."""
    time.sleep(1.0)
    return solve(network, policy, options)


def no_plan_solve(network, *args):
    """A solve that reached its time limit with no plan, as the library says it."""
    from resilient_sc import NotOptimalError

    raise NotOptimalError("no plan: the time limit was reached before any feasible plan was found; raise "
                          "SolveOptions.time_limit (CLI: --time-limit)")


def _warns_many(n: int) -> int:
    """A job's work that warns: ``n`` distinct run warnings, one twice, and numpy's."""
    import warnings

    from resilient_sc import RunWarning

    for i in [0, *range(n)]:
        warnings.warn(f"(solve) | warning {i}", RunWarning, stacklevel=1)
    warnings.warn("not ours", RuntimeWarning, stacklevel=1)
    return n


def test_a_jobs_warnings_come_back_distinct_and_at_most_so_many():
    """A job's own warnings come back (each once, the first MOST_WARNINGS); another library's go
    to the server's terminal as before (the fork server's stderr: not captured here)."""
    from resilient_sc.app.jobs import MOST_WARNINGS

    job = Job(_warns_many, [3])
    assert job.wait() == ("ok", 3) and job.warnings == [f"(solve) | warning {i}" for i in range(3)]
    many = Job(_warns_many, [MOST_WARNINGS + 5])
    many.wait()
    assert len(many.warnings) == MOST_WARNINGS
