"""Hostile inputs (issue 15, the input side): every one refused with one clear line naming the
file or table, row and column, and the limit with how to raise it; nothing read without bound,
nothing read as a silent default.

Findings: 1 YAML alias bomb, 3 quadratic duplicate check, 6 Excel cells read as blanks, 7 policy
names that match nothing, 11 silently wrong data, 12 policy errors that do not name the file.
"""

from __future__ import annotations

import datetime
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from resilient_sc import (
    DataWarning,
    Network,
    Policy,
    ValidationError,
    examples,
    read_network,
    solve,
    stress_test,
)
from resilient_sc.io import write_excel
from resilient_sc.limits import ENV, Limits, current
from resilient_sc.model.build import build_model
from resilient_sc.policies import check_policies, load_policies
from resilient_sc.policy import PolicyError
from resilient_sc.wording import quote
from resilient_sc.workbook import write_workbook


def problems(path: Path, limits: Limits | None = None) -> tuple[str, ...]:
    with pytest.raises(ValidationError) as info:
        read_network(path, limits=limits)
    return info.value.problems


def one(path: Path, limits: Limits | None = None) -> str:
    found = problems(path, limits)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def ex(tmp_path: Path) -> Path:
    """A copy of the bundled electronics example (valid: 22 suppliers, 13 countries)."""
    return Path(shutil.copytree(examples.electronics_path(), tmp_path / "ex"))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# ---- limits -----------------------------------------------------------------------------------
def test_limits_default_raise_by_environment_and_reject_nonsense(monkeypatch: pytest.MonkeyPatch):
    assert current() == Limits()
    monkeypatch.setenv(ENV["file_mb"], "1024")
    monkeypatch.setenv(ENV["rows"], "10")
    assert current().file_mb == 1024.0 and current().rows == 10
    monkeypatch.setenv(ENV["rows"], "lots")
    with pytest.raises(ValidationError, match=r"\(limits\) \| RESILIENT_SC_MAX_ROWS='lots' must be a "):
        current()


def test_file_over_the_size_limit_is_refused_unread(ex: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV["file_mb"], "0.005")  # 5 KB: lanes.csv (10 KB) is over, the others not
    assert one(ex) == (f"(lanes) | lanes.csv is {(ex / 'lanes.csv').stat().st_size / 1024:,.1f} KB, over "
                       "the limit of 0.005 MB per input file (set RESILIENT_SC_MAX_FILE_MB to raise it)")


def test_an_n_1_model_over_the_recourse_limit_is_refused_before_it_is_built(monkeypatch: pytest.MonkeyPatch):
    """Survive supplier copies the network's lanes once per supplier: over the limit, the build
    stops with one error naming the policy field, the count and what to do, not out of memory."""
    net = examples.electronics()
    lanes = build_model(net).lm.variables
    n_lanes = lanes["inbound_flow"].size + len(set(zip(*[lanes["outbound_flow"].index[c] for c in
                                                         ("hub", "market", "product")], strict=True)))
    recourse = build_model(net, Policy(survive=("supplier",))).lm.variables["survive_inbound"]
    n = recourse.index["failure"].nunique()
    monkeypatch.setenv(ENV["recourse_columns"], str(n * n_lanes - 1))
    with pytest.raises(ValidationError) as caught:
        build_model(net, Policy(survive=("supplier",)))
    (p,) = caught.value.problems
    assert p.startswith(f"(policy) survive ['supplier'] | needs one copy of the network's {n_lanes:,} lanes "
                        f"per failure: {n:,} × {n_lanes:,} = {n * n_lanes:,} recourse columns")
    assert "RESILIENT_SC_MAX_RECOURSE_COLUMNS" in p
    assert f"survive fewer kinds of failure (here {n} supplier)" in p
    monkeypatch.setenv(ENV["recourse_columns"], str(n * n_lanes))
    assert build_model(net, Policy(survive=("supplier",))).lm.n_cols > 0  # at the limit: built


def test_a_roadmap_period_over_the_recourse_limit_is_named(monkeypatch: pytest.MonkeyPatch):
    """In a roadmap the refusal names the period whose failure copies exceed the limit."""
    from resilient_sc.model.roadmap import build_roadmap
    from resilient_sc.periods import period_ids

    net = examples.electronics_roadmap()
    monkeypatch.setenv(ENV["recourse_columns"], "1")
    with pytest.raises(ValidationError) as caught:
        build_roadmap(net, Policy(survive=("supplier",)))
    (p,) = caught.value.problems
    m = re.match(r"\(policy\) survive \['supplier'\] \| in period (\w+): needs one copy of", p)
    assert m is not None and m[1] in period_ids(net)
    assert str(caught.value).startswith("1 problem with the model's size:")


def test_rows_over_the_limit(ex: Path):
    p = one(ex, Limits(rows=100))
    assert p == "(lanes) | lanes.csv has more than 100 rows per table (set RESILIENT_SC_MAX_ROWS to raise it)"


# ---- 1: YAML alias bomb ---------------------------------------------------------------------------
def bomb(field: str = "survive", levels: int = 9) -> str:
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"x{names[0]}: &{names[0]} [x, x, x, x, x, x, x, x, x]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"x{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    lines.append(f"{field}: *{names[-1]}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("field", ["survive", "excluded_countries", "min_local_share"])
def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path, field: str):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(field), encoding="utf-8")
    assert path.stat().st_size < 450
    start = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    assert time.perf_counter() - start < 2
    assert str(info.value) == (
        f"policy file {path}: 1 problem:\n  - (policy) | bomb.yaml has more than 100,000 values in a "
        "policy file (aliases expanded) (set RESILIENT_SC_MAX_YAML_NODES to raise it)")


def test_yaml_aliases_depth_recursion_and_size_are_bounded(tmp_path: Path):
    def error(text: str, name: str = "p.yaml") -> str:
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError) as info:
            Policy.from_file(tmp_path / name)
        (p,) = info.value.problems
        return p

    many = "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(101))
    assert error(many) == ("(policy) | p.yaml has more than 100 aliases (*name) per policy file "
                           "(set RESILIENT_SC_MAX_YAML_ALIASES to raise it)")
    deep = "survive: " + "[" * 30 + "]" * 30 + "\n"
    assert "has more than 20 levels of nesting" in error(deep)
    assert "has more than 20 levels of nesting" in error('{"survive": ' + "[" * 5000 + "]" * 5000 + "}",
                                                         "p.json")
    assert error("survive: &a [*a]\n") == "(policy) | p.yaml has an alias that refers to itself"
    digits = "9" * 5000  # Python's words advised sys.set_int_max_str_digits()
    for name, text in (("p.yaml", f"min_suppliers: {digits}\n"),
                       ("p.json", f'{{"min_suppliers": {digits}}}')):
        assert error(text, name) == (f"(policy) | {name} is not valid {name[2:].upper()}: a number of more "
                                     "than 4,300 digits (no policy value needs one)")
    flat = "survive: [" + ",".join(["x"] * 150_000) + "]\n"  # no alias: counted as it is read
    assert error(flat) == ("(policy) | p.yaml has more than 100,000 values in a policy file (aliases "
                           "expanded) (set RESILIENT_SC_MAX_YAML_NODES to raise it)")
    assert error("min_local_share: 0.5\nmin_local_share: 0.9\n") == (
        "(policy) | p.yaml names 'min_local_share' twice in the mapping at line 1; keep one")
    # keys spelt apart that read as one: PyYAML kept the last and dropped the others without a word
    assert error("min_local_share: {010: 0.3, 10: 0.5}\n") == (
        "(policy) | p.yaml names one key twice, as '010' and '10' (both read as 10) in the mapping at "
        "line 1; keep one")
    for first, second, read in (("NULL", "~", "null"), ("true", "True", "true"), ("1", "1.0", "1"),
                                (".nan", ".NaN", "nan")):
        assert error(f"{first}: {{min_suppliers: 2}}\n{second}: {{min_suppliers: 3}}\n") == (
            f"(policy) | p.yaml names one key twice, as '{first}' and '{second}' (both read as {read}) in "
            "the mapping at line 1; keep one")
    (tmp_path / "big.yaml").write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"big.yaml is 1.0 MB, over the limit of 1024 KB per "
                                              r"policy file \(set RESILIENT_SC_MAX_POLICY_KB"):
        Policy.from_file(tmp_path / "big.yaml")


@pytest.mark.parametrize(("text", "field", "read"), [
    ("min_suppliers: 1:30", "min_suppliers", "'1:30'"),  # YAML 1.1: 90, in base 60
    ("min_suppliers: 1_0", "min_suppliers", "'1_0'"),  # YAML 1.1: 10
    ("min_suppliers: 0b10", "min_suppliers", "'0b10'"),  # YAML 1.1: 2
    ("min_local_share: 0x1", "min_local_share", "'0x1'"),  # YAML 1.1: 1
])
def test_a_policy_file_reads_only_plain_numbers_as_numbers(tmp_path: Path, text: str, field: str, read: str):
    """YAML 1.1's number forms turned a typo into another number without a word; they are text
    now, which the policy refuses; 010 is 10 (not octal 8); an id such as 2E5 stays text."""
    path = tmp_path / "p.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=f"{field} == {read}, must be a"):
        Policy.from_file(path).check()
    path.write_text("shortfall_penalty: 1e6\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"must be a number \(a policy file reads a number with an "
                                              r"exponent only with a dot: 1.0e6\)"):
        Policy.from_file(path).check()
    path.write_text("min_suppliers: 010\nco2_price: 1.5e3\nexcluded_countries: [2E5]\n", encoding="utf-8")
    assert Policy.from_file(path) == Policy(min_suppliers=10, co2_price=1500.0, excluded_countries=("2E5",))


def test_norway_is_no_false_in_a_policy_file(tmp_path: Path):
    """YAML 1.1 read NO, yes, on and off as booleans: 'excluded_countries contains False' for
    [NO], and a key NO refused with a hint to quote 'False'. Only true and false are booleans
    now; a switch still takes yes/no/on/off."""
    path = tmp_path / "p.yaml"
    path.write_text("excluded_countries: [NO, DE]\nmax_country_share: {NO: 0.3}\nsingle_sourcing: yes\n",
                    encoding="utf-8")
    assert Policy.from_file(path) == Policy(excluded_countries=("NO", "DE"), max_country_share={"NO": 0.3},
                                            single_sourcing=True)
    path.write_text("single_sourcing: off\n", encoding="utf-8")
    assert Policy.from_file(path) == Policy(single_sourcing=False)


def test_anchors_within_the_limits_still_work(tmp_path: Path):
    (tmp_path / "ps.yaml").write_text(
        "base: &base {min_local_share: 0.5, survive: [country]}\n"
        "strict:\n  <<: *base\n  min_suppliers: 2\n", encoding="utf-8")
    policies = load_policies(tmp_path / "ps.yaml")
    assert policies["strict"] == Policy(min_local_share=0.5, survive=("country",), min_suppliers=2)


def test_one_policy_given_as_a_policies_file_is_said_to_be_one(tmp_path: Path):
    """A policy file passed as --policies read each field as a policy name: "(policy
    'min_local_share') | expected a mapping of field: value, got 0.5". A policy named as a field,
    with its fields beneath, is still a policies file."""
    (tmp_path / "one.yaml").write_text("min_local_share: 0.5\nsurvive: [country]\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"one.yaml holds one policy's fields \(min_local_share, survive\); "
                                          "a policies file names each policy"):
        load_policies(tmp_path / "one.yaml")
    (tmp_path / "regions.yaml").write_text("min_local_share: {Europe: 0.5}\nmin_suppliers: 2\n",
                                           encoding="utf-8")
    with pytest.raises(PolicyError, match=r"regions.yaml holds one policy's fields"):
        load_policies(tmp_path / "regions.yaml")
    (tmp_path / "named.yaml").write_text("survive: {survive: [country]}\n", encoding="utf-8")
    assert load_policies(tmp_path / "named.yaml") == {"survive": Policy(survive=("country",))}
    # a YAML list, a common slip
    (tmp_path / "list.yaml").write_text("- min_local_share: 0.5\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path / "list.yaml")
    assert info.value.problems == ("(policies) | list.yaml must hold a mapping of name: policy "
                                   "(near_shoring: {min_local_share: 0.5}), not a list",)
    with pytest.raises(ValidationError) as info:
        Policy.from_file(tmp_path / "list.yaml")
    assert info.value.problems == ("(policy) | list.yaml must hold a mapping of field: value "
                                   "(min_local_share: 0.5), not a list",)


def test_policy_files_that_are_not_text_or_not_files(tmp_path: Path):
    (tmp_path / "latin.yaml").write_bytes(b"survive: [pa\xefs]\n")
    with pytest.raises(ValidationError, match=r"latin.yaml is not UTF-8 text \(byte 0xef at offset 12\)"):
        Policy.from_file(tmp_path / "latin.yaml")
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    with pytest.raises(ValidationError, match=r"zero.yaml is a device, not a regular file"):
        Policy.from_file(tmp_path / "zero.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(ValidationError, match=r"fifo.yaml is a FIFO, not a regular file"):
        Policy.from_file(tmp_path / "fifo.yaml")
    (tmp_path / "bad.yaml").write_text("survive: [country\nmin_hubs: 2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(tmp_path / "bad.yaml")
    (p,) = info.value.problems
    assert re.fullmatch(r"\(policy\) \| bad.yaml is not valid YAML: line \d+, column \d+: [^\n]+", p)


# ---- 3: the duplicate check is linear -----------------------------------------------------------------
def test_100000_duplicate_lanes_validate_in_seconds_and_are_counted(ex: Path):
    lines = (ex / "lanes.csv").read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[1:]) + "\n"
    (ex / "lanes.csv").write_text(lines[0] + "\n" + body * (100_000 // (len(lines) - 1) + 1),
                                  encoding="utf-8")
    start = time.perf_counter()
    found = problems(ex)
    assert time.perf_counter() - start < 20  # was quadratic: 100,000 rows did not finish in 300 s
    assert len(found) == 6
    assert found[0] == ("(lanes, row 269 'S_CN_Ningde, H_Hamburg, all') | duplicate of row 2 (origin, "
                        "destination, product must be unique)")
    assert re.fullmatch(r"\(lanes\) \| … and 99,853 more rows where the origin, destination, product "
                        r"duplicate an earlier row \(99,858 in all\)", found[-1])


def test_a_problem_on_every_row_is_listed_ten_times_then_counted(ex: Path):
    text = (ex / "lanes.csv").read_text(encoding="utf-8")
    head, body = text.split("\n", 1)
    (ex / "lanes.csv").write_text(head + "\n" + re.sub(r"(?m)^([^,]*),([^,]*),([^,]*),[^,]*,",
                                                        r"\1,\2,\3,oops,", body), encoding="utf-8")
    found = problems(ex)
    assert len(found) == 11 and found[-1].startswith("(lanes) | … and ")
    assert found[-1].endswith("more rows where unit_cost is not a number (267 in all)")
    with pytest.raises(ValidationError, match=r"^267 problems in the input data:"):  # not '11 problems'
        read_network(ex)


# ---- 6: Excel cells read as blanks ---------------------------------------------------------------------
@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "ex.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, df in examples.electronics().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    return path


def change(path: Path, sheet: str, **cells: object) -> Path:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)
    return path


def test_workbook_reads_like_the_folder(book: Path):
    assert read_network(book).frames().keys() == examples.electronics().frames().keys()
    net, ref = read_network(book), examples.electronics()
    pd.testing.assert_frame_equal(net.table("lanes"), ref.table("lanes"))
    pd.testing.assert_frame_equal(net.table("hubs"), ref.table("hubs"))


def test_a_date_where_an_id_is_expected_is_refused(book: Path):
    """Excel turns a market id typed MAR-1 into the date 2025-03-01: read as the id
    '2025-03-01' where every sheet held the date, and as 8 problems with the demand and lanes
    naming the id but not the cell where only the markets sheet did."""
    change(book, "markets", A2=datetime.datetime(2025, 3, 1))
    assert one(book) == ("(markets, row 2) | column A 'market' holds a date (2025-03-01) where an id is "
                         "expected: Excel turns ids such as MAR-1 or 1-2 into dates; format the column as "
                         "Text and type the id again")


def test_a_text_cell_with_a_dot_for_thousands_is_refused(book: Path):
    """A text cell '9.000' (a workbook from a locale with a decimal comma) was read as 9 where
    '9,000' is refused: in a number column it is one error; a number cell and an id are read."""
    change(book, "supplier_products", C2="9.000")  # openpyxl writes str as a text cell
    assert one(book) == ("(supplier_products, row 2) | column C 'capacity' holds the text '9.000': 9,000 "
                         "with a dot for thousands, or 9? Type it as a number, not as text")
    change(book, "supplier_products", C2="1.200.000")
    assert one(book).endswith("holds the text '1.200.000': 1,200,000 with a dot for thousands? Type it as a "
                              "number, not as text")
    change(book, "supplier_products", C2=9.0)  # a number cell
    assert read_network(book).supplier_products["capacity"].iloc[0] == 9.0
    change(book, "markets", C2="48.857")  # a latitude is no count of thousands: read as text is
    assert read_network(book).markets["lat"].iloc[0] == 48.857
    change(book, "supplier_products", A2="1.000")  # an id that looks like one is an id
    assert one(book).endswith("supplier '1.000' is not in suppliers")


def test_a_number_cell_id_reads_as_typed_and_a_text_id_as_written(tmp_path: Path):
    """Excel stores a market id typed 101 as 101.0: it reads '101' (the lanes' text '101' meets
    it), as does a float column of a DataFrame; a market written '2.0' in a CSV is '2.0' (the
    rule for Excel's floats read it as '2')."""
    frames = {k: v for k, v in examples.tiny().frames().items() if v is not None}
    numbered = {**frames, "markets": frames["markets"].assign(market=101.0),
                "demand": frames["demand"].assign(market=101.0),
                "lanes": frames["lanes"].replace({"destination": {"Paris": "101"}})}
    path = tmp_path / "numbered.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, df in numbered.items():
            df.to_excel(xl, sheet_name=name, index=False)
    assert list(read_network(path).markets["market"]) == ["101"]
    assert list(Network.from_frames(**numbered).demand["market"]) == ["101"]
    folder = tmp_path / "text"
    folder.mkdir()
    for name, df in {**numbered, "markets": frames["markets"].assign(market="2.0"),
                     "demand": frames["demand"].assign(market="2.0"),
                     "lanes": frames["lanes"].replace({"destination": {"Paris": "2.0"}})}.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    assert list(read_network(folder).markets["market"]) == ["2.0"]


def test_excels_escapes_of_control_characters_read_back(tmp_path: Path):
    """Excel saves a carriage return in a cell (a value pasted with its line end) as ``_x000D_``,
    which openpyxl leaves: the market 'Paris' read as the new market 'Paris_x000D_' (demand and
    lanes then named a market not in markets), a bloc as a new bloc without a word. ``_x005F_``
    escapes an underscore: ``_x005F_x000D_`` is the text ``_x000D_``."""
    frames = {k: v for k, v in examples.tiny().frames().items() if v is not None}
    path = tmp_path / "pasted.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, df in {**frames, "markets": frames["markets"].assign(market="Paris_x000D_"),
                         "countries": frames["countries"].assign(bloc=["EU_x005F_x000D_", ""])}.items():
            df.to_excel(xl, sheet_name=name, index=False)
    net = read_network(path)
    assert list(net.markets["market"]) == ["Paris"]  # the line end trimmed, as in a CSV
    assert list(net.countries["bloc"]) == ["EU_x000D_", ""]


def test_a_sheet_cleared_of_every_cell_and_a_tab_separated_file_are_said_so(book: Path, ex: Path):
    """A cleared tariffs sheet gave three 'required column ... is missing'; a tab-separated CSV an
    unknown column 'market\\tproduct\\tdemand'."""
    wb = openpyxl.load_workbook(book)
    wb.remove(wb["tariffs"])
    wb.create_sheet("tariffs")
    wb.save(book)
    assert one(book) == ("(tariffs) | the table has no header row; give its header (origin_country, "
                         "destination_country, product, rate, period) or leave the table out (it is "
                         "optional)")
    (ex / "demand.csv").write_text((ex / "demand.csv").read_text(encoding="utf-8").replace(",", "\t"),
                                   encoding="utf-8")
    assert one(ex) == ("(demand) | demand.csv is separated by tabs (copied from a spreadsheet, or saved as "
                       "'Text (Tab delimited)'); save it as 'CSV UTF-8 (comma delimited)', or give the data "
                       "as an .xlsx workbook")


def test_a_whole_number_cell_is_read_without_its_point_zero():
    """openpyxl hands a cell stored as <v>101.0</v> back as the float 101.0: read as '101'."""
    from resilient_sc.xlsx_tables import _cell_text

    assert [_cell_text(v) for v in (101.0, 2.5, -3.0, 1e300, True, "2.0")] == [
        "101", "2.5", "-3", "1e+300", "TRUE", "2.0"]


def test_a_header_of_unknown_names_is_no_missing_header(ex: Path):
    """A header whose every name is unknown said 'the table has no header row' beside them."""
    (ex / "markets.csv").write_text("markt,land\nParis,FR\n", encoding="utf-8")
    found = problems(ex)
    assert not any("has no header row" in p for p in found)
    assert ("(markets) | unknown column 'markt' (did you mean 'market'?); columns are: market, country, lat, "
            "lon") in found


@pytest.mark.parametrize(("first", "said"), [
    ("Demand forecast 2025", "line 1 holds 'Demand forecast 2025'"),
    ("Demand forecast 2025,,", "line 1 holds 'Demand forecast 2025'"),  # as Excel pads a title
    ("sep=,", "line 1 holds 'sep=,'"),  # Excel's hint of the separator
    (",,", "line 1 is empty")])
def test_a_line_above_a_csv_header_is_said_to_be_one(ex: Path, first: str, said: str):
    """As a workbook's title row is: a title line gave 67 'the row has 3 fields, the header 1', an
    empty first line 'no header row' and 66 false duplicates (keys read as their defaults)."""
    demand = ex / "demand.csv"
    demand.write_text(f"{first}\n" + demand.read_text(encoding="utf-8"), encoding="utf-8")
    assert one(ex) == (f"(demand) | {said} and line 2 the column names (market, product, demand): the "
                       "header must be the first line; delete the line above it")


def test_a_copy_of_a_table_in_another_case_or_extension_is_warned_of(ex: Path):
    """Demand.csv (on a case-sensitive file system) or demand.txt beside demand.csv was left
    unread without a word, where demand_v2.csv is warned of: the copy may be the one edited."""
    shutil.copy(ex / "demand.csv", ex / "Demand.csv")
    shutil.copy(ex / "demand.csv", ex / "demand.txt")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    assert ("(demand) | files 'Demand.csv', 'demand.txt' are not read: the demand table is read from "
            "'demand.csv', which is there") in [str(w.message) for w in caught]
    (ex / "DEMAND.csv").symlink_to(ex / "nowhere.csv")  # a broken link: said, no traceback
    with pytest.warns(DataWarning, match="'DEMAND.csv', 'Demand.csv', 'demand.txt' are not read"):
        read_network(ex)


def test_scenarios_that_differ_only_in_case_are_warned_of(ex: Path):
    """'LA_port_strike' beside 'la_port_strike' are two scenarios, each weighed: said, as ids are."""
    disruptions = ex / "disruptions.csv"
    disruptions.write_text(disruptions.read_text(encoding="utf-8") + "TAIWAN_STRAIT,country,TW,0.02\n",
                           encoding="utf-8")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    assert ("(disruptions) | ids 'TAIWAN_STRAIT', 'taiwan_strait' differ only in case: they are 2 different "
            "scenarios (ids are case-sensitive)") in [str(w.message) for w in caught]


def test_a_dot_for_thousands_is_caught_whatever_the_headers_case(book: Path):
    """Headers are read case-insensitively, the guard was not: '4.000' under 'Demand' was 4."""
    change(book, "demand", C1=" Demand", C2="4.000")
    assert one(book).startswith("(demand, row 2) | column C ' Demand' holds the text '4.000': 4,000 with a "
                                "dot")


def test_a_sheet_whose_cells_are_missing_from_the_file_is_said_not_dropped(book: Path, tmp_path: Path):
    """A workbook listing a tariffs sheet whose part is missing from the zip (damaged) was read
    without tariffs: 'valid', and a cheaper plan."""
    import re
    import zipfile

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(book) as z:
        listing, rels = z.read("xl/workbook.xml").decode(), z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'name="tariffs"[^>]*?r:id="(rId\d+)"', listing).group(1)
        target = re.search(rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels).group(1)
        with zipfile.ZipFile(damaged, "w") as out:
            for part in z.infolist():
                if part.filename != f"xl/{target}":
                    out.writestr(part, z.read(part.filename))
    assert one(damaged) == ("(tariffs) | sheet 'tariffs' is listed in damaged.xlsx but its cells are missing "
                            "from the file (a damaged workbook); save it again from Excel or LibreOffice")

def test_a_hidden_sheet_is_read_and_said_to_be(book: Path):
    """Hiding the tariffs sheet in Excel (to switch tariffs off) left them on without a word."""
    wb = openpyxl.load_workbook(book)
    wb["tariffs"].sheet_state = "hidden"
    wb.save(book)
    with pytest.warns(DataWarning, match=r"\(tariffs\) \| the sheet is hidden in ex.xlsx, and read all the "
                                         r"same: delete the sheet \(or its rows\) to leave the table out"):
        net = read_network(book)
    assert len(net.tariffs) == len(examples.electronics().tariffs)
    assert any(w.startswith("(tariffs) | the sheet is hidden") for w in net.warnings)  # as validate --json
    wb["tariffs"].sheet_state = "veryHidden"  # set by a macro: Excel's Unhide does not list it
    wb.save(book)
    said = ("(tariffs) | the sheet is hidden in ex.xlsx, very hidden (Excel's Unhide does not list it: show "
            "it by its Visible property in the VBA editor, Alt+F11), and read all the same")
    with pytest.warns(DataWarning, match=re.escape(said)):
        read_network(book)


def test_rows_hidden_by_hand_or_by_a_filter_are_read_and_said_to_be(book: Path):
    """A planner who filters demand to one product in Excel expects the rest left out: they are
    read (as a hidden sheet is), and the warning names the rows (it validated "valid")."""
    wb = openpyxl.load_workbook(book)
    ws = wb["demand"]
    ws.auto_filter.ref = f"A1:D{ws.max_row}"
    for row in (3, 5, 12):
        ws.row_dimensions[row].hidden = True
    wb.save(book)
    with pytest.warns(DataWarning, match=r"^\(demand\) \| 3 rows hidden in the sheet \(by hand or by a "
                                         r"filter\) are read all the same: rows 3, 5, 12; delete the rows "
                                         "to leave them out$"):
        net = read_network(book)
    assert len(net.demand) == len(examples.electronics().demand)


def test_rows_struck_through_are_read_and_said_to_be(book: Path):
    """A planner crosses out a demand row in Excel (strikethrough) to mean "no longer": it is read,
    as a hidden row is, and now said to be (it was read silently); a row with one struck cell
    beside plain ones is not struck through."""
    wb = openpyxl.load_workbook(book)
    ws = wb["demand"]
    for cells in (ws[4], ws[9], ws[6][:1]):
        for cell in cells:
            cell.font = openpyxl.styles.Font(strike=True, bold=True)
    wb.save(book)
    with pytest.warns(DataWarning, match=r"^\(demand\) \| 2 rows struck through in the sheet \(every cell "
                                         r"holding data\) are read all the same: rows 4, 9; delete the rows "
                                         "to leave them out$"):
        net = read_network(book)
    assert len(net.demand) == len(examples.electronics().demand)


def test_columns_hidden_in_a_sheet_are_read_and_said_to_be(book: Path):
    """A planner hides the co2 and capacity columns to leave them out: they are read (as hidden
    rows and sheets are), and now said to be; a column hidden without data is not."""
    wb = openpyxl.load_workbook(book)
    ws = wb["supplier_products"]
    ws.column_dimensions["E"].hidden = True
    ws.column_dimensions["C"].hidden = True
    ws.column_dimensions["H"].hidden = True  # beyond the table
    wb.save(book)
    with pytest.warns(DataWarning, match=r"^\(supplier_products\) \| columns 'capacity', 'co2' are hidden in "
                                         r"the sheet, and read all the same: delete an optional column to "
                                         r"leave it out \(its default then applies\)$"):
        net = read_network(book)
    assert net.supplier_products["co2"].equals(examples.electronics().supplier_products["co2"])


def test_a_span_of_hidden_columns_is_read_as_a_span(book: Path):
    """One <col min="1" max="20000000" hidden="1"> in 31 KB of workbook held 1.1 GB while read
    (a set of its 20 million column numbers; 2e9 ran out of memory): its columns are said hidden,
    and the read stays small."""
    import tracemalloc

    wb = openpyxl.load_workbook(book)
    span = wb["hubs"].column_dimensions["A"]
    span.hidden, span.min, span.max = True, 1, 20_000_000
    wb.save(book)
    tracemalloc.start()
    try:
        with pytest.warns(DataWarning, match=r"^\(hubs\) \| columns 'hub', 'country', .* are hidden in the"):
            read_network(book)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, peak


def test_formula_without_a_saved_value_is_refused(book: Path):
    change(book, "supplier_products", D2="=C2*2")  # openpyxl saves formulas without values
    assert one(book) == ("(supplier_products, row 2) | column D 'unit_cost' holds a formula with no saved "
                         "value ('=C2*2'); open and save the workbook in Excel or LibreOffice, or type "
                         "the value")


def _saved_formula(book: Path, value: bytes, calculated: bool) -> None:
    """``book`` with D2 of supplier_products a formula saved with ``value``, as Excel saves it
    (``calculated``: no request to calculate on opening) or as XlsxWriter does (0, and Excel
    asked to calculate every formula on opening, ``fullCalcOnLoad``)."""
    change(book, "supplier_products", D2="=C2*2")
    with zipfile.ZipFile(book) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = next(k for k, v in parts.items() if b"<f>C2*2</f>" in v)
    parts[sheet] = parts[sheet].replace(b"<f>C2*2</f><v />", b"<f>C2*2</f><v>" + value + b"</v>")
    assert b'fullCalcOnLoad="1"' in parts["xl/workbook.xml"]  # openpyxl's, as XlsxWriter's
    if calculated:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(book, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_formula_with_a_saved_value_reads_the_value(book: Path):
    _saved_formula(book, b"12.5", calculated=True)
    assert read_network(book).supplier_products["unit_cost"].iloc[0] == 12.5


def test_formula_saved_by_a_program_that_does_not_calculate_is_refused(book: Path):
    """pandas' XlsxWriter saves each formula with the value 0 and asks Excel to calculate them
    on opening: read as 0, a unit cost uplift by formula made a plan 9.6M cheaper, said valid."""
    _saved_formula(book, b"0", calculated=False)
    assert one(book) == ("(supplier_products, row 2) | column D 'unit_cost' holds a formula with a saved "
                         "value ('0') the workbook marks as not calculated ('=C2*2'); open and save the "
                         "workbook in Excel or LibreOffice, or type the value")


def _saved_as_excel(book: Path, sheet: str, ref: str, formula: str, value: bytes, text: bool) -> None:
    """``book`` with cell ``ref`` of ``sheet`` the ``formula`` saved with ``value`` as Excel saves it
    (``text``: a text result, t="str"), its formulas calculated."""
    change(book, sheet, **{ref: formula})
    with zipfile.ZipFile(book) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    kind = b' t="str"' if text else b""
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)( t="\w+")?><f>(.*?)</f><v ?/>')
    name = next(k for k, v in parts.items() if k.startswith("xl/worksheets/") and cell.search(v))
    parts[name] = cell.sub(lambda m: b'<c r="' + ref.encode() + b'"' + m[1] + kind + b"><f>" + m[3]
                           + b"</f><v>" + value + b"</v>", parts[name])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(book, "w") as zf:
        for part, data in parts.items():
            zf.writestr(part, data)


def test_a_formula_whose_result_is_the_empty_text_is_refused_in_a_row_of_data(book: Path):
    """A failed lookup, =IFERROR(VLOOKUP(...),""), saved by Excel as the empty text, read as a blank
    cell: every unit cost 0 (the plan 2,447,004 where 11,914,791), or a capacity unlimited, said
    valid (audit). In a row of data it is refused; a row of nothing but such formulas and zeros is left
    out, as before."""
    lookup = '=IFERROR(VLOOKUP(A2,prices!A:B,2,FALSE),"")'
    _saved_as_excel(book, "supplier_products", "D2", lookup, b"", text=True)
    assert one(book) == ("(supplier_products, row 2) | column D 'unit_cost' holds a formula whose result "
                         f"is the empty text ('{lookup[:-4]}…' (43 characters)), which would read as a "
                         "blank cell and take the "
                         "column's default; type the value, or make the formula give one")
    below = len(examples.electronics().supplier_products) + 5  # a row below the data, nothing else in it
    change(book, "supplier_products", D2=12.5, **{f"C{below}": 0})  # and a 0, as formulas copied down give
    _saved_as_excel(book, "supplier_products", f"D{below}", lookup.replace("A2", f"A{below}"), b"", text=True)
    assert read_network(book).supplier_products["unit_cost"].iloc[0] == 12.5


@pytest.mark.parametrize("label", ["Ergebnis", "Итог", ""])
def test_a_totals_row_is_refused_by_its_subtotal_whatever_its_label(book: Path, label: str):
    """Excel's Total Row labels itself in the user's language ('Ergebnis', 'Summa', '合计') or not
    at all: under a word the library did not know, a periods table planned a sixth period, the
    cost doubled without a word (audit). Its SUBTOTAL formula says what it is in any language."""
    last = len(examples.electronics().demand) + 2
    change(book, "demand", **{f"A{last}": label or None})
    _saved_as_excel(book, "demand", f"C{last}", f"=SUBTOTAL(109,C2:C{last - 1})", b"162030", text=False)
    assert one(book) == (f"(demand, row {last}) | a totals row (column C holds "
                         f"'=SUBTOTAL(109,C2:C{last - 1})'): a total is no row of demand; delete the row "
                         "(Excel: Table Design, untick Total Row)")


def test_a_subtotal_of_another_sheet_and_an_empty_bloc_by_formula_are_values(book: Path):
    """SUBTOTAL(9, forecast!B2:B13) (a sum of a forecast's visible rows) or AGGREGATE of one is a
    demand, not a totals row; a bloc looked up as "" is no bloc, as a blank is (review)."""
    # (openpyxl drops every saved value when it saves: one formula a read)
    _saved_as_excel(book, "demand", "C2", "=SUBTOTAL(9,forecast!B2:B13)", b"4461", text=False)
    assert read_network(book).demand["demand"].iloc[0] == 4461.0
    change(book, "demand", C2=4460)
    _saved_as_excel(book, "demand", "C3", "=AGGREGATE(9,6,forecast!C2:C13)", b"2801", text=False)
    assert read_network(book).demand["demand"].iloc[1] == 2801.0
    change(book, "demand", C3=2800)
    _saved_as_excel(book, "countries", "C2", '=IFERROR(VLOOKUP(A2,blocs!A:B,2,FALSE),"")', b"", text=True)
    assert read_network(book).countries["bloc"].iloc[0] == ""


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!"])
def test_error_values_are_refused(book: Path, error: str):
    change(book, "lanes", D3=error)
    assert one(book) == f"(lanes, row 3) | column D 'unit_cost' holds the error value '{error}'; fix the cell"


def test_merged_cells_are_refused(book: Path):
    wb = openpyxl.load_workbook(book)
    wb["hubs"].merge_cells("C3:C5")
    wb.save(book)
    assert one(book) == ("(hubs, row 3-5) | column C: cells C3:C5 are merged; unmerge them and fill in "
                         "every cell")
    wb = openpyxl.load_workbook(book)
    for r in range(10, 32, 2):  # eleven ranges: ten said, then that there are more (ten read as all)
        wb["hubs"].merge_cells(f"A{r}:B{r}")
    wb.save(book)
    with pytest.raises(ValidationError) as err:
        read_network(book)
    assert err.value.problems[-1] == "(hubs) | … and more cells like these" and len(err.value.problems) == 11


def test_damaged_workbooks_and_near_miss_sheet_names(book: Path, tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book.read_bytes()[:4000])
    assert one(bad) == ("(bad.xlsx) | not an .xlsx workbook (damaged, or another format such as .xls or "
                        ".csv renamed); save it from Excel as .xlsx")
    wb = openpyxl.load_workbook(book)
    wb["tariffs"].title = "Tarifs"
    wb.save(book)
    assert one(book) == ("(ex.xlsx) | sheet 'Tarifs' is not a table name (did you mean 'tariffs'?); "
                         "tables are: countries, products, suppliers, supplier_products, hubs, markets, "
                         "demand, lanes, tariffs, disruptions, periods")


def test_a_planners_own_sheets_and_files_are_no_misspelt_tables(book: Path, ex: Path):
    """'Instructions' and 'Directions' were refused as 'disruptions' misspelt, 'Projects' as
    'products', and a copy 'demand (2)' as 'demand' though demand was there (spreadsheets
    audit): read, a copy warned of as not read; 'Tarrifs' without tariffs is still refused."""
    wb = openpyxl.load_workbook(book)
    for title in ("Instructions", "Directions", "Projects", "demand (2)"):
        wb.create_sheet(title)["A1"] = "notes"
    wb.save(book)
    with pytest.warns(DataWarning, match=r"sheet 'demand \(2\)' is not read: the demand table is read from"):
        read_network(book)
    wb["tariffs"].title = "Tarrifs"
    wb.save(book)
    assert one(book).startswith("(ex.xlsx) | sheet 'Tarrifs' is not a table name (did you mean 'tariffs'?)")
    wb["Tarrifs"].title = "Tarif"  # less near, but its header is the tariffs' (it was dropped: review)
    wb.save(book)
    assert one(book).startswith("(ex.xlsx) | sheet 'Tarif' is not a table name (did you mean 'tariffs'?)")
    (ex / "instructions.csv").write_text("step,what\n1,edit demand\n", encoding="utf-8")
    (ex / "disruptions.csv").unlink(missing_ok=True)
    read_network(ex)


def test_a_file_that_is_no_workbook_says_what_it_is(tmp_path: Path):
    """An .ods renamed .xlsx gave openpyxl's "There is no item named '[Content_Types].xml' in the
    archive"; Excel's lock file and a password-protected workbook the generic 'damaged' words."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "net.xlsx", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    (tmp_path / "~$net.xlsx").write_bytes(b"\x07planner" + b" " * 150)
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with zipfile.ZipFile(tmp_path / "csvs.xlsx", "w") as z:  # a zipped CSV folder (the app's upload)
        z.writestr("net/hubs.csv", "hub,country\n")
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as z:
        z.writestr("notes.txt", "x")
    names = ("net.xlsx", "~$net.xlsx", "locked.xlsx", "csvs.xlsx", "other.xlsx")
    assert [one(tmp_path / name) for name in names] == [
        "(net.xlsx) | an OpenDocument spreadsheet (.ods) named .xlsx; save it as .xlsx (LibreOffice: File > "
        "Save As > Excel 2007-365)",
        "(~$net.xlsx) | Excel's lock file of an open workbook, not the workbook: give 'net.xlsx'",
        "(locked.xlsx) | a password-protected workbook or an old .xls file; remove the password (Excel: "
        "File > Info > Protect Workbook) or save it as .xlsx",
        "(csvs.xlsx) | a zip archive of CSV files under an .xlsx name; unzip it into a folder of CSV files "
        "(the app takes the .zip itself)",
        "(other.xlsx) | a zip archive, not an .xlsx workbook; save the workbook from Excel as .xlsx"]


def test_a_sheet_whose_name_holds_a_tables_is_not_left_out_silently(book: Path):
    """'Tariffs 2025' (a planner's name for the tariffs sheet) was not read and the plan went
    without tariffs (12,198,366 against 12,228,393, another supplier), with no word; beside the
    real sheet ('demand 2024' beside 'demand') it is read as before, and said to be left out."""
    wb = openpyxl.load_workbook(book)
    wb["tariffs"].title = "Tariffs 2025"
    wb.copy_worksheet(wb["demand"]).title = "demand 2024"
    wb.save(book)
    assert one(book) == ("(tariffs) | sheet 'Tariffs 2025' is not read: the tariffs table is read from sheet "
                         "'tariffs'; rename the sheet (it holds the table's columns)")
    wb["Tariffs 2025"].title = "tariffs"
    del wb["periods"]
    wb.create_sheet("Period notes")["A1"] = "2026 is this year"  # a note, no table: said, never refused
    for week in range(1, 53):
        wb.create_sheet(f"Tariff wk{week}")
    wb.save(book)
    with pytest.warns(DataWarning) as caught:
        assert read_network(book).tariffs.equals(examples.electronics().tariffs)
    assert sorted(str(w.message) for w in caught) == [
        "(demand) | sheet 'demand 2024' is not read: the demand table is read from sheet 'demand', which is "
        "there",
        "(periods) | sheet 'Period notes' is not read: the periods table is read from sheet 'periods', which "
        "is not there: the plan goes without it",
        "(tariffs) | sheets 'Tariff wk1', 'Tariff wk2', 'Tariff wk3', … (52 in all) are not read: the "
        "tariffs table is read from sheet 'tariffs', which is there"]


def test_workbook_part_over_the_limit(book: Path):
    p = one(book, Limits(file_mb=0.05))  # the file is smaller; lanes unzips to more
    assert re.fullmatch(r"\(ex.xlsx\) \| the workbook unzips to 0.\d MB \(part "
                        r"'xl/worksheets/sheet\d+.xml': 0.\d MB\), over the limit of 0.05 MB per input file "
                        r"\(set RESILIENT_SC_MAX_FILE_MB to raise it\)", p)


def test_a_workbook_part_that_inflates_like_a_zip_bomb(tmp_path: Path):
    """A 0.5 MB workbook whose shared strings unzipped to 204 MB, under the limit per part, took
    three minutes and 1.2 GB to read: a part over 1 MB inflating more than 100 times is refused."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>a</t></si>" * 1_000_000 + "</sst>")
    assert path.stat().st_size < 200_000
    assert one(path) == ("(bomb.xlsx) | part 'xl/sharedStrings.xml' unzips to 16.2 MB from 40 KB, more than "
                         "100 times its stored size: not read (save the workbook again from Excel, or give "
                         "CSV files)")


def test_cell_formats_that_inflate_like_a_zip_bomb_under_10_mb(tmp_path: Path):
    """A 47 KB workbook whose styles.xml unzipped to 9.9 MB of empty cell formats (648 times its
    stored size, under the 10 MB above which inflation was checked) took 30 s and 1.4 GB: a part
    over 1 MB inflating more than 100 times is refused."""
    path = tmp_path / "styles.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/styles.xml", '<styleSheet><cellXfs count="1">' + "<xf/>" * 400_000 + "</cellXfs>")
    assert one(path).startswith("(styles.xlsx) | part 'xl/styles.xml' unzips to 1.9 MB from ")


def test_workbook_cells_over_the_limits(book: Path):
    change(book, "markets", A3="M" * 50)
    assert one(book, Limits(cell_chars=40)) == (
        "(markets, row 3) | column A 'market' holds 50 characters, over the limit of 40 characters "
        "per cell (set RESILIENT_SC_MAX_CELL_CHARS to raise it)")
    assert "(markets) | the sheet has more than 20 rows per table (set RESILIENT_SC_MAX_ROWS to raise it)" \
        in problems(book, Limits(rows=20))


def test_workbook_stray_row_far_below_is_read_as_one_row(tmp_path: Path):
    """A header of 20 names and one value at A1048576: one row is built, not a million blank ones
    (1,000 names made a 28 KB file take 3.8 GB); the row keeps its sheet row number."""
    import tracemalloc

    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, df in examples.tiny().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["hubs"]
    for col in range(ws.max_column + 1, 21):
        ws.cell(1, col, f"note{col}")
    ws["A1048576"] = "H_far"
    wb.save(path)
    tracemalloc.start()
    try:
        found = problems(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "(hubs, row 1048576 'H_far') | country is required but blank" in found
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB"


def test_workbook_header_over_the_columns_limit(book: Path):
    wb = openpyxl.load_workbook(book)
    for col in range(1, 13):
        wb["hubs"].cell(1, col, f"c{col}")
    wb.save(book)
    assert one(book, Limits(columns=11)) == (
        "(hubs) | the header row names more than 11 columns per table (set RESILIENT_SC_MAX_COLUMNS "
        "to raise it)")


# ---- 7: every name in a policy is checked against the data -------------------------------------------
COUNTRIES = "BR, CA, CN, CZ, DE, FR, JP, KR, MX, PL, TW, US, VN"


@pytest.mark.parametrize(("excluded", "message"), [
    (["cn"], "excluded_countries contains 'cn', not a country of the data (did you mean 'CN'?); "
             f"countries are: {COUNTRIES}"),
    (["XX"], f"excluded_countries contains 'XX', not a country of the data; countries are: {COUNTRIES}"),
    ([["CN"]], "excluded_countries contains ['CN'], must be country ids (text); country ids are: "
               f"{COUNTRIES}"),
])
def test_excluded_countries_must_be_countries_of_the_data(electronics: Network, excluded: list, message: str):
    assert sorted(electronics.countries["country"]) == COUNTRIES.split(", ")
    with pytest.raises(ValidationError) as info:
        Policy(excluded_countries=excluded).check_network(electronics)
    assert info.value.problems == (f"(policy) | {message}",)
    with pytest.raises(ValidationError) as info:
        check_policies({"p": Policy(excluded_countries=excluded)}, electronics)
    assert info.value.problems == (f"(policy 'p') | {message}",)


def test_solve_checks_policy_countries(tiny: Network):
    with pytest.raises(ValidationError, match="excluded_countries contains 'cn'"):
        solve(tiny, Policy(excluded_countries=("cn",)))


def test_other_policy_names_suggest_the_closest(electronics: Network):
    with pytest.raises(ValidationError) as info:
        Policy(survive=("countri",), min_local_share={"europe": 0.5}, min_suppliers={"Cells": 2, 3: 1}
               ).check_network(electronics)
    assert info.value.problems == (
        "(policy) | min_suppliers key 'Cells' is not a product (did you mean 'cells'?); products are: "
        "cells, chips, displays",
        # a whole-number key reads as text (YAML reads the period key 2027 as a number)
        "(policy) | min_suppliers key '3' is not a product; products are: cells, chips, displays",
        "(policy) | min_local_share key 'europe' is neither a region nor a product (did you mean "
        "'Europe'?); regions are: Asia, Europe, Latin America, North America; products are: cells, chips, "
        "displays",
        "(policy) | survive contains 'countri', must be a subset of supplier, hub, country (did you "
        "mean 'country'?)")


def test_policy_numbers_must_be_finite_and_sane():
    def problems_of(**fields: object) -> tuple[str, ...]:
        with pytest.raises(ValidationError) as info:
            Policy(**fields).check()
        return info.value.problems

    assert problems_of(co2_price=float("inf")) == (
        "(policy) | co2_price == inf, must be finite (leave co2_price out for no limit)",)
    assert problems_of(shortfall_penalty=1e300) == (
        "(policy) | shortfall_penalty == 1e+300 is over the limit of 1e+15 for the magnitude of a "
        "number (set RESILIENT_SC_MAX_MAGNITUDE to raise it)",)
    (p,) = problems_of(min_hubs=10**400)
    assert p.startswith("(policy) | min_hubs == 1000") and len(p) < 200


# ---- 12 (policy half): errors name the policy file ---------------------------------------------------
def test_policy_errors_name_the_file(tmp_path: Path, tiny: Network):
    path = tmp_path / "p.yaml"
    path.write_text("min_local_share: 1.5\n", encoding="utf-8")
    policy = Policy.from_file(path)  # values are checked when used, still naming the file
    assert policy.source == str(path)
    with pytest.raises(PolicyError) as info:
        solve(tiny, policy)
    assert str(info.value) == (f"policy file {path}: 1 problem:\n"
                               "  - (policy) | min_local_share == 1.5, must be in [0, 1]")
    path.write_text("min_local_shar: 0.5\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_file(path)
    assert str(info.value).startswith(f"policy file {path}: 1 problem:\n  - (policy) | unknown field "
                                      "'min_local_shar' (did you mean 'min_local_share'?)")
    (tmp_path / "ps.yaml").write_text("a: {min_local_share: 0.5, excluded_countries: [XX]}\n",
                                      encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^policies file .*ps.yaml: 1 problem:\n  - \(policy 'a'\) \| "
                                          r"excluded_countries contains 'XX'"):
        check_policies(load_policies(tmp_path / "ps.yaml"), tiny)


# ---- 11: silently wrong data -----------------------------------------------------------------------------
def test_namibia_is_a_country_not_a_blank(ex: Path):
    for file in ex.glob("*.csv"):  # Brazil becomes Namibia (ids such as S_BR_Manaus stay)
        file.write_text(re.sub(r"\bBR\b", "NA", file.read_text(encoding="utf-8")), encoding="utf-8")
    net, ref = read_network(ex), examples.electronics()
    assert "NA" in set(net.countries["country"]) and "BR" not in set(net.countries["country"])
    assert (net.suppliers["country"] == "NA").sum() == (ref.suppliers["country"] == "BR").sum() > 0


def test_text_that_pandas_reads_as_missing_stays_text(tiny_dir: Path):
    edit(tiny_dir / "suppliers.csv", "S_CN,", "NULL,")
    edit(tiny_dir / "supplier_products.csv", "S_CN,", "NULL,")
    edit(tiny_dir / "lanes.csv", "S_CN,", "NULL,")
    assert "NULL" in set(read_network(tiny_dir).suppliers["supplier"])


def test_misspelt_column_is_an_error_with_the_closest(ex: Path):
    edit(ex / "supplier_products.csv", "unit_cost", "unitcost")
    assert one(ex) == ("(supplier_products) | unknown column 'unitcost' (did you mean 'unit_cost'?); "
                       "columns are: supplier, product, capacity, unit_cost, co2, period")


def test_columns_named_twice_or_not_at_all(tiny_dir: Path):
    (tiny_dir / "hubs.csv").write_text("hub,Hub,country,fixed_cost,,\nH1,H1,FR,100,,x\n", encoding="utf-8")
    assert problems(tiny_dir) == (
        "(hubs) | column 'hub' appears 2 times (columns 1, 2); keep one",
        "(hubs) | column 6 has no name in the header row but holds data (row 2); name it or delete it")


@pytest.mark.parametrize(("value", "message"), [
    ("NaN", "unit_cost 'NaN' is not a number"),
    ("nan", "unit_cost 'nan' is not a number"),
    ("n/a", "unit_cost 'n/a' is not a number"),
    ("inf", "unit_cost 'inf' must be finite"),
    ("-inf", "unit_cost '-inf' must be finite"),  # one message, not also 'must be >= 0'
    ("1e308", "unit_cost 1e+308 is over the limit of 1e+15 for the magnitude of a number (set "
              "RESILIENT_SC_MAX_MAGNITUDE to raise it)"),
])
def test_non_numbers_and_huge_numbers_are_refused(ex: Path, value: str, message: str):
    edit(ex / "supplier_products.csv", ",38.19,", f",{value},")
    assert one(ex) == f"(supplier_products, row 2 'S_BR_Manaus, cells') | {message}"


def test_capacity_may_be_unlimited_but_not_huge(ex: Path):
    edit(ex / "hubs.csv", ",73000,", ",inf,")
    assert read_network(ex).hubs["capacity"].iloc[0] == float("inf")
    edit(ex / "hubs.csv", ",inf,", ",1e300,")
    assert one(ex).endswith("| capacity 1e+300 is over the limit of 1e+15 for the magnitude of a number "
                            "(set RESILIENT_SC_MAX_MAGNITUDE to raise it); blank, inf or unlimited mean "
                            "unlimited")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc/self/mem")
def test_a_table_that_cannot_be_read_is_named(ex: Path):
    """A read error (EIO, here from /proc/self/mem) was a bare OSError traceback in the library
    and 'error: [Errno 5] Input/output error' on the command line, naming no file."""
    (ex / "tariffs.csv").unlink()
    os.symlink("/proc/self/mem", ex / "tariffs.csv")
    assert one(ex) == "(tariffs) | cannot read tariffs.csv: Input/output error"


def test_broken_link_fifo_and_device_are_errors_not_missing_tables(ex: Path):
    (ex / "tariffs.csv").unlink()
    os.symlink("gone.csv", ex / "tariffs.csv")
    assert one(ex) == "(tariffs) | tariffs.csv is a broken symbolic link (to gone.csv); fix or remove it"
    (ex / "tariffs.csv").unlink()
    os.symlink("d" * 200 + "/gone.csv", ex / "tariffs.csv")  # a long target keeps its end, the file
    assert one(ex) == (f"(tariffs) | tariffs.csv is a broken symbolic link (to …{'d' * 110}/gone.csv); "
                       "fix or remove it")
    (ex / "tariffs.csv").unlink()
    os.symlink("/dev/zero", ex / "tariffs.csv")
    start = time.perf_counter()
    assert one(ex) == "(tariffs) | tariffs.csv is a device, not a regular file"
    (ex / "tariffs.csv").unlink()
    os.mkfifo(ex / "tariffs.csv")  # nobody writes to it: opening it must not block
    assert one(ex) == "(tariffs) | tariffs.csv is a FIFO, not a regular file"
    assert time.perf_counter() - start < 5
    (ex / "tariffs.csv").unlink()
    (ex / "tariffs.csv").mkdir()
    assert one(ex) == "(tariffs) | tariffs.csv is a folder, not a regular file"


def test_a_misspelt_file_and_a_bad_column_are_said_at_once(ex: Path):
    """validate said only the misspelt file; the lanes problem came after renaming it."""
    (ex / "tariffs.csv").rename(ex / "tarifs.csv")
    edit(ex / "lanes.csv", "unit_cost", "unitcost")
    found = problems(ex)
    assert found[0].startswith("(tariffs) | 'tarifs.csv' is not a table name")
    assert found[1].startswith("(lanes) | unknown column 'unitcost' (did you mean 'unit_cost'?)")
    assert not any("required table" in p for p in found)


def test_a_misspelt_file_is_not_a_missing_table(ex: Path):
    (ex / "tariffs.csv").rename(ex / "tarifs.csv")
    assert one(ex) == ("(tariffs) | 'tarifs.csv' is not a table name (did you mean 'tariffs.csv'?); tables "
                       "are: countries, products, suppliers, supplier_products, hubs, markets, demand, "
                       "lanes, tariffs, disruptions, periods")


def test_a_copy_beside_its_table_is_no_misspelling(ex: Path):
    """lanes_v2.csv beside lanes.csv was refused: 'did you mean lanes.csv?', which is there."""
    import shutil

    shutil.copy(ex / "lanes.csv", ex / "lanes_v2.csv")
    assert len(read_network(ex).lanes) == len(examples.electronics().lanes)


def test_a_file_whose_name_holds_a_tables_is_not_left_out_silently(ex: Path):
    """Windows' 'tariffs - Copy.csv' (or 'tariffs_2025.csv') as the only tariffs file was not read:
    a plan without tariffs and 'valid'; beside tariffs.csv it is said to be left out."""
    import shutil

    (ex / "tariffs.csv").rename(ex / "tariffs - Copy.csv")
    assert one(ex) == ("(tariffs) | file 'tariffs - Copy.csv' is not read: the tariffs table is read from "
                       "'tariffs.csv'; rename the file (it holds the table's columns)")
    shutil.copy(ex / "tariffs - Copy.csv", ex / "tariffs.csv")
    with pytest.warns(DataWarning, match=r"file 'tariffs - Copy.csv' is not read: .* which is there"):
        assert len(read_network(ex).tariffs) == len(examples.electronics().tariffs)


def test_a_cost_left_blank_beside_rows_that_give_one_is_warned_of(ex: Path):
    """A quote not yet in: S_CA_Montreal's unit_cost blank read as 0 (the documented default) and
    the plan bought 8,300 units from it for free (11,898,210 against 12,228,393), without a word.
    A column blank in every row (0 on purpose) says nothing."""
    edit(ex / "supplier_products.csv", "S_CA_Montreal,cells,8300,41.59,2.2", "S_CA_Montreal,cells,8300, ,2.2")
    edit(ex / "supplier_products.csv", "S_BR_Manaus,cells,9000,38.19,2.36", "S_BR_Manaus,cells,9000,38.19,")
    edit(ex / "hubs.csv", "H_Hamburg,DE,276000,73000,1.6,", "H_Hamburg,DE,276000,73000,,")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    said = [str(w.message) for w in caught]
    assert "(supplier_products, row 4 'S_CA_Montreal, cells') | unit_cost is blank, so 0 (free), though 29 " \
           "other rows give one: write 0 if it is free, else the cost" in said
    assert "(hubs, row 2 'H_Hamburg') | handling_cost is blank, so 0 (free), though 7 other rows give one: " \
           "write 0 if it is free, else the cost" in said
    # a period row written for its capacity alone set its CO2 to 0 without a word (roadmap audit)
    assert "(supplier_products, row 2 'S_BR_Manaus, cells') | co2 is blank, so 0 (no emissions), though 29 " \
           "other rows give one: write 0 if it emits none, else its CO2 per unit" in said
    f = examples.electronics().frames()
    f["hubs"]["handling_cost"] = ""
    f["lanes"]["co2"] = ""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        Network.from_frames(**f)


def test_a_capacity_or_lane_co2_left_blank_beside_rows_that_give_one_is_warned_of(ex: Path):
    """A failed lookup saved blank: one hub of eight without a capacity read as unlimited, a lane
    without CO2 as emitting none (it counts under co2_cap), without a word (sheets audit)."""
    edit(ex / "hubs.csv", "H_Hamburg,DE,276000,73000,1.6,", "H_Hamburg,DE,276000,,1.6,")
    lanes = (ex / "lanes.csv").read_text(encoding="utf-8").splitlines()
    lanes[1] = lanes[1][:lanes[1].rindex(",") + 1]  # its co2 blank
    (ex / "lanes.csv").write_text("\n".join(lanes) + "\n", encoding="utf-8")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    said = [str(w.message) for w in caught]
    assert "(hubs, row 2 'H_Hamburg') | capacity is blank, so unlimited (no limit), though 7 other rows " \
           "give one: write unlimited if meant, else its capacity" in said
    assert any(w.startswith("(lanes, row 2 ") and "| co2 is blank, so 0 (no emissions), though " in w
               for w in said)


def test_an_id_that_lost_its_leading_zeros_is_said_so(ex: Path):
    """Product '007' in products, typed 7 (a number cell) in demand: 'not in products', no hint."""
    for table in ("products", "supplier_products", "demand", "lanes", "tariffs"):
        text = (ex / f"{table}.csv").read_text(encoding="utf-8")
        (ex / f"{table}.csv").write_text(text.replace(",cells,", ",007,").replace("\ncells,", "\n007,"),
                                         encoding="utf-8")
    edit(ex / "demand.csv", ",007,", ",7,")
    assert problems(ex)[0].endswith("| product '7' is not in products (did you mean '007'? a cell holding a "
                                    "number drops its leading zeros: format the column as text)")


def test_huge_cell_is_refused_and_never_echoed(ex: Path):
    with open(ex / "markets.csv", "a", encoding="utf-8") as fh:
        fh.write("M" * 3_000_000 + ",DE,1,1\n")
    p = one(ex)
    assert p == ("(markets, row 27) | the row holds 3,000,007 characters, more than its 4 cells may: over "
                 "the limit of 1,000 characters per cell (set RESILIENT_SC_MAX_CELL_CHARS to raise it)")
    edit(ex / "markets.csv", "M" * 3_000_000, "M" * 2_000)
    p = one(ex)
    assert p == ("(markets, row 27) | the cell in column 'market' holds 2,000 characters, over the limit "
                 "of 1,000 characters per cell (set RESILIENT_SC_MAX_CELL_CHARS to raise it)")
    edit(ex / "markets.csv", "M" * 2_000 + ",DE,1,1", ",".join(["x"] * 16_384))  # short fields, many
    assert one(ex) == "(markets, row 27) | the row has 16,384 fields, the header 4"  # not over a cell's limit


def test_csv_with_too_many_columns_is_refused_before_parsing(tiny_dir: Path):
    """Trailing commas past the columns limit: one line naming the file and the count, at once
    (200,000 of them took 4 minutes, column by column)."""
    (tiny_dir / "markets.csv").write_text("market,country" + "," * 5_000 + "\nParis,FR" + "," * 5_000 + "\n",
                                          encoding="utf-8")
    assert one(tiny_dir) == ("(markets) | markets.csv has 5,002 columns, over the limit of 1,000 columns "
                             "per table (set RESILIENT_SC_MAX_COLUMNS to raise it)")
    (tiny_dir / "markets.csv").write_text('"market,x",country' + "," * 998 + "\nParis,FR\n", encoding="utf-8")
    assert "columns per table" not in " ".join(problems(tiny_dir))  # 1,000: a quoted comma is no column
    wide = "," * 200_000
    (tiny_dir / "markets.csv").write_text(f"market,country{wide}\nParis,FR{wide}\n", encoding="utf-8")
    start = time.perf_counter()
    assert one(tiny_dir).startswith("(markets) | markets.csv has 200,002 columns, over the limit of 1,000")
    assert time.perf_counter() - start < 5


def test_values_quoted_in_problems_are_short_and_on_one_line():
    assert quote("x" * 300_000) == f"'{'x' * 39}…' (300,000 characters)"
    assert quote("a\nb\x00") == r"'a\nb\x00'"
    frames = examples.tiny().frames()
    frames["suppliers"].loc[1, "country"] = "C\n" * 1000
    with pytest.raises(ValidationError) as info:
        Network.from_frames(**frames)
    assert all("\n" not in p and len(p) < 300 for p in info.value.problems)


def test_csv_that_is_utf16_or_ragged(tiny_dir: Path):
    (tiny_dir / "markets.csv").write_bytes("market,country\nParis,FR\n".encode("utf-16"))
    assert one(tiny_dir) == "(markets) | markets.csv is UTF-16 text; save it as CSV UTF-8"
    (tiny_dir / "markets.csv").write_text("market,country\nParis,FR,extra\n", encoding="utf-8")
    assert one(tiny_dir) == ("(markets, row 2 'Paris') | the row has 3 fields, the header 2: a cell beyond "
                             "the header's columns (a comma too many?)")


def test_csv_row_with_fewer_fields_than_the_header_is_refused(ex: Path):
    """A row cut short was read with its missing cells as blanks: unit_cost and co2 became 0."""
    edit(ex / "supplier_products.csv", "S_BR_Manaus,cells,9000,38.19,2.36", "S_BR_Manaus,cells,9000")
    assert one(ex) == ("(supplier_products, row 2 'S_BR_Manaus, cells') | the row has 3 fields, the header 5 "
                       "(a blank cell is still its comma: S1,FR,,)")
    edit(ex / "supplier_products.csv", "S_BR_Manaus,cells,9000", '"S_BR_Manaus",cells,9000,,')
    assert read_network(ex).supplier_products["unit_cost"].iloc[0] == 0  # blanks written: read as blanks
    edit(ex / "supplier_products.csv", '"S_BR_Manaus",cells,9000,,', '"S_BR_Manaus","cells"')
    assert one(ex) == ("(supplier_products, row 2 'S_BR_Manaus, cells') | the row has 2 fields, the header 5 "
                       "(a blank cell is still its comma: S1,FR,,)")


def test_csv_trailing_empty_lines_and_unnamed_columns_are_not_short_rows(tiny_dir: Path):
    with open(tiny_dir / "lanes.csv", "a", encoding="utf-8") as fh:
        fh.write("\n\n,\n")
    text = (tiny_dir / "markets.csv").read_text(encoding="utf-8")
    # header ends with 2 unnamed
    (tiny_dir / "markets.csv").write_text(text.replace("\n", ",,\n", 1), encoding="utf-8")
    assert len(read_network(tiny_dir).lanes) == len(examples.tiny().lanes)


def test_csv_with_nul_bytes_is_one_problem_not_garbled_names(tiny_dir: Path):
    (tiny_dir / "markets.csv").write_bytes("market,country\nParis,FR\n".encode("utf-16-le"))  # no BOM
    assert one(tiny_dir) == ("(markets) | markets.csv holds NUL bytes (UTF-16 without a byte-order mark, "
                             "or not text); save it as CSV UTF-8")


def test_csv_that_is_a_workbook_or_binary_is_named_so_not_measured_by_its_lines(tiny_dir: Path):
    """An .xlsx (a zip archive) saved or renamed as markets.csv was refused as 'the row holds 1,164
    characters, more than its 1 cells may': true of its bytes, no help to a planner."""
    workbook = tiny_dir / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["market", "country"])
    book.active.append(["Paris", "FR"])
    book.save(workbook)
    (tiny_dir / "markets.csv").write_bytes(workbook.read_bytes())
    assert one(tiny_dir) == ("(markets) | markets.csv is an Excel workbook (.xlsx, a zip archive) under a "
                             ".csv name; save the sheet as CSV UTF-8, or read the data from one .xlsx "
                             "workbook with a sheet per table")
    (tiny_dir / "markets.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert one(tiny_dir).startswith("(markets) | markets.csv is an Excel 97-2003 workbook (.xls) under")
    (tiny_dir / "markets.csv").write_bytes(b"\x7fELF\x02\x01" + bytes(5) + b"x" * 5000 + b"\n")  # a program
    assert one(tiny_dir) == ("(markets) | markets.csv holds NUL bytes (UTF-16 without a byte-order mark, "
                             "or not text); save it as CSV UTF-8")


def test_ids_with_control_characters_are_refused_at_their_cell(tiny_dir: Path):
    edit(tiny_dir / "hubs.csv", "H1,", "H\x071,")
    assert one(tiny_dir) == (r"(hubs, row 2 'H\x071') | hub 'H\x071' holds a control or invisible character; "
                             "an id is printable text")
    frames = examples.tiny().frames()
    frames["markets"].loc[0, "market"] = "Pa\x00ris"
    with pytest.raises(ValidationError) as info:
        Network.from_frames(**frames)
    assert info.value.problems == (
        r"(markets, row 2 'Pa\x00ris') | market 'Pa\x00ris' holds a control or invisible character; an id is "
        "printable text",)


def test_ids_are_one_unicode_spelling(tiny_dir: Path):
    """'München' typed on Windows (NFC) and on macOS (NFD, u + combining diaeresis) is one market."""
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "München"), unicodedata.normalize("NFD", "München")
    assert nfc != nfd
    edit(tiny_dir / "markets.csv", "Paris", nfc)
    edit(tiny_dir / "lanes.csv", "Paris", nfd)
    edit(tiny_dir / "demand.csv", "Paris", nfd)
    net = read_network(tiny_dir)
    assert {*net.markets["market"], *net.demand["market"], *net.lanes["destination"]} >= {nfc}
    assert nfd not in {*net.demand["market"], *net.lanes["destination"]}
    assert set(solve(net).outbound["market"]) == {nfc}


def test_policy_names_are_one_unicode_spelling(tiny_dir: Path):
    """A policy file typed on macOS (NFD) names the network's NFC region and country: the local
    share binds and the excluded country is excluded, as with the same names typed in NFC."""
    import unicodedata

    nfc = {name: unicodedata.normalize("NFC", name) for name in ("Région", "Frånce")}
    nfd = {name: unicodedata.normalize("NFD", name) for name in ("Région", "Frånce")}
    edit(tiny_dir / "countries.csv", "Europe", nfc["Région"])
    net = read_network(tiny_dir)
    local = tiny_dir / "local.yaml"
    local.write_text(f"min_local_share: {{{nfd['Région']}: 1.0}}\n", encoding="utf-8")
    assert set(solve(net, Policy.from_file(local)).inbound["supplier"]) == {"S_FR"}
    assert Policy(excluded_countries=[nfd["Frånce"]]).excluded_countries == (nfc["Frånce"],)


def test_a_policy_key_spelt_twice_is_refused_not_merged():
    """A mapping whose keys are one name in two spellings (NFC and NFD, or 2027 and '2027') kept
    the last value silently; it is one error naming the field and both spellings."""
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "Région"), unicodedata.normalize("NFD", "Région")
    with pytest.raises(ValidationError) as err:
        Policy.from_dict({"min_local_share": {nfc: 0.2, nfd: 0.9}})
    assert list(err.value.problems) == [r"(policy) | min_local_share has the key 'Région' twice, spelt "
                                  r"differently ('R\xe9gion', 'Re\u0301gion'); keep one"]
    with pytest.raises(TypeError, match=r"max_country_share has the key '2027' twice.*\(2027, '2027'\)"):
        Policy(max_country_share={2027: 0.3, "2027": 0.5})
    assert Policy(min_local_share={nfd: 0.2}).min_local_share == {nfc: 0.2}

@pytest.mark.parametrize(("name", "fix"), [("products.CSV", "rename it"), ("Products.csv", "rename it"),
                                         ("products.txt", "rename it"),
                                         ("products.xlsx", "save it as 'products.csv' (CSV UTF-8)")])
def test_a_table_file_not_named_table_csv_is_an_error_not_skipped(ex: Path, name: str, fix: str):
    """An optional table saved as products.CSV (or .xlsx, or capitalised) was skipped on Linux and
    the plan went without it (a silently other cost); it is one error naming the file. A table
    renamed tariffs.old (to switch it off) is left out as before."""
    (ex / "products.csv").rename(ex / name)
    assert one(ex) == (f"(products) | '{name}' is not read: a table is read from 'products.csv' (a CSV "
                       f"file, its name in lower case); {fix}")
    (ex / name).rename(ex / "products.csv")
    (ex / "tariffs.csv").rename(ex / "tariffs.old")
    assert read_network(ex).tariffs.empty
    (ex / "products.csv.bak").write_text("a backup is not a table", encoding="utf-8")
    assert read_network(ex).products["product"].tolist() == ["cells", "chips", "displays"]

def test_a_csv_separated_by_semicolons_is_named_so(ex: Path):
    """Excel in a locale with a decimal comma saves CSV with ';': it got 'unknown column
    'market;product;demand'' or a tokenizer error per table, none naming the separator."""
    demand = ex / "demand.csv"
    demand.write_text(demand.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert one(ex) == ("(demand) | demand.csv is separated by semicolons, as Excel saves CSV where the "
                       "decimal mark is a comma; save it as 'CSV UTF-8 (comma delimited)' with a dot for "
                       "decimals, or give the data as an .xlsx workbook")


def test_a_csv_with_old_mac_line_endings_reads_as_any_other(ex: Path):
    """CR-only line endings made the whole file one line to the checks ('1,073 columns, over the
    limit'); they are lines, and the table reads as with LF."""
    lanes = ex / "lanes.csv"
    lines = lanes.read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
    for ending in (b"", b"\n", b"\r\n"):  # an editor may still end the file with a line feed
        lanes.write_bytes(b"\r".join(lines) + ending)
        pd.testing.assert_frame_equal(read_network(ex).lanes, examples.electronics().lanes)


def test_the_row_limit_holds_with_old_mac_line_endings(ex: Path):
    """CR-only line endings were turned into lines after the row count: a file of any length passed."""
    lanes = ex / "lanes.csv"
    lanes.write_bytes(lanes.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert one(ex, Limits(rows=200)).startswith("(lanes) | lanes.csv has more than 200 rows")  # it has 267
    lanes.write_bytes(lanes.read_bytes() + b"\n")
    assert one(ex, Limits(rows=200)).startswith("(lanes) | lanes.csv has more than 200 rows")


def test_a_tariff_rate_typed_as_a_percentage_is_warned_of(ex: Path):
    """A rate is a fraction of unit_value and may exceed 1; 25 (for 25%) read as 2,500% without a
    word. From 5 (500%) on it is warned of, naming the row; so is a rate over 1 beside rates that
    are fractions (2.5 and 4.5, common rates in %, read as 250% and 450% beside 0.1-0.5: sheets
    audit); 1 (a 100% duty) is not."""
    edit(ex / "tariffs.csv", "CN,US,all,0.25", "CN,US,all,25")
    with pytest.warns(DataWarning, match=r"\(tariffs, row 2 'CN, US, all'\) \| rate 25 is 2,500% of "
                                         r"unit_value \(a rate is a fraction\); for 25% write 0.25"):
        read_network(ex)
    edit(ex / "tariffs.csv", "CN,US,all,25", "CN,US,all,2.5")
    with pytest.warns(DataWarning, match=r"\(tariffs, row 2 'CN, US, all'\) \| rate 2.5 is 250% of "
                                         r"unit_value, where the other rates are fractions \(at most 0.5\); "
                                         r"for 2.5% write 0.025"):
        assert read_network(ex).tariffs["rate"].iloc[0] == 2.5
    edit(ex / "tariffs.csv", "CN,US,all,2.5", "CN,US,all,1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert read_network(ex).tariffs["rate"].iloc[0] == 1.0
    # no rate a fraction: EU duties of 2.7% and 4.5% typed as 2.7 and 4.5 read as 270% and 450%, unsaid
    text = (ex / "tariffs.csv").read_text(encoding="utf-8")
    (ex / "tariffs.csv").write_text(text.split("\n")[0] + "\nCN,US,all,2.7\nCN,DE,all,4.5\n",
                                    encoding="utf-8")
    with pytest.warns(DataWarning) as seen:
        read_network(ex)
    said = [str(w.message) for w in seen if "(tariffs" in str(w.message)]
    assert said == [f"(tariffs, row {row} '{key}') | rate {r} is {p} of unit_value, a rate is a fraction, "
                    f"and duties over 100% are rare; for {r}% write {f}"
                    for row, key, r, p, f in ((2, "CN, US, all", "2.7", "270%", "0.027"),
                                              (3, "CN, DE, all", "4.5", "450%", "0.045"))]

def test_blank_lines_keep_spreadsheet_row_numbers(tiny_dir: Path):
    (tiny_dir / "lanes.csv").write_text("origin,destination,unit_cost\nS_FR,H1,1\n\n\nS_CN,H1,x\n"
                                        "H1,Paris,2\n", encoding="utf-8")
    assert one(tiny_dir) == "(lanes, row 5 'S_CN, H1') | unit_cost 'x' is not a number"


def test_inputs_are_read_not_changed(ex: Path, book: Path):
    before = {p: p.read_bytes() for p in [*ex.iterdir(), book]}
    read_network(ex)
    read_network(book)
    assert before == {p: p.read_bytes() for p in [*ex.iterdir(), book]}


def test_workbook_from_bytes_of_a_bigger_sheet_is_not_padded(tmp_path: Path):
    """A stray value far away (row 5000, column XFD) is read as one cell, not 80 M empty ones."""
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, df in examples.tiny().frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    change(path, "markets", XFD5000="stray")
    start = time.perf_counter()
    assert one(path) == ("(markets, row 5000) | column XFD has no name in the header row (row 1) but holds "
                         "data; name it or delete it")
    assert time.perf_counter() - start < 5



@pytest.mark.parametrize("kind", ["folder", "workbook", "report", "analysis workbook"])
def test_a_result_given_as_the_data_is_said_to_be_one(tmp_path: Path, kind: str):
    """A plan's folder or workbook given back to solve gave seven "required table is missing"
    and a "did you mean suppliers.csv" for supplier_shares.csv; a stress report's folder was told
    to rename its stress_products.csv to products.csv (output audit): one line says what it is."""
    net = examples.tiny()
    plan = solve(net)
    if kind == "folder":
        target = plan.save(tmp_path / "plan")
    elif kind == "report":
        from resilient_sc.analysis.report import write_stress_report

        write_stress_report(target := tmp_path / "stress", net, plan, stress_test(net, plan), figures=False)
    else:
        target = tmp_path / "plan.xlsx"
        analyses = {"stress": stress_test(net, plan)} if kind == "analysis workbook" else {"plan": plan}
        write_workbook(target, **analyses)
    with pytest.raises(ValidationError) as err:
        read_network(target)
    assert err.value.problems == (f"({target.name}) | this is a result written by resilient_sc (a plan, "
                                  "roadmap or report), not a network's data: give the folder or workbook of "
                                  "the network it was solved from",)


def test_a_title_above_the_header_is_said_to_be_one(book: Path):
    """A title in A1 (or blank rows) above the column names gave one "column has no name"
    per column and never said the header was one row down."""
    wb = openpyxl.load_workbook(book)
    wb["demand"].insert_rows(1)
    wb["demand"]["A1"] = "Demand 2027 (units)"
    wb["lanes"].insert_rows(1, 2)
    wb["suppliers"].insert_rows(1)
    wb["suppliers"]["A1"] = "Supplier"  # a title that is a column's name too: 'column B has no name'
    wb.save(book)
    with pytest.raises(ValidationError) as err:
        read_network(book)
    assert [p for p in err.value.problems if "header" in p] == [
        "(suppliers) | row 1 holds 'Supplier' and row 2 the column names (supplier, country, fixed_cost, "
        "status, lat, lon, opening_cost, closing_cost, lead_time): the header must be the first row; delete "
        "the row above it",
        "(demand) | row 1 holds 'Demand 2027 (units)' and row 2 the column names (market, product, demand, "
        "period): the header must be the first row; delete the row above it",
        "(lanes) | row 1 is empty and row 3 the column names (origin, destination, product, unit_cost, co2): "
        "the header must be the first row; delete the rows above it"]


# ---- the hostile-input audit of session 32 ----------------------------------------------------
def test_a_bloc_or_region_differing_only_in_case_is_warned_of(ex: Path):
    """MX's bloc typed 'Atlantic' made it no ally of the 'atlantic' countries: a dearer plan with
    no word (ids differing only in case were warned of, blocs and regions not)."""
    edit(ex / "countries.csv", "MX,Latin America,atlantic", "MX,Latin America,Atlantic")
    edit(ex / "countries.csv", "PL,Europe,", "PL,europe,")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    said = [str(w.message) for w in caught]
    assert ("(countries) | blocs 'Atlantic', 'atlantic' differ only in case: they are 2 different blocs "
            "(blocs are case-sensitive)") in said
    assert any(m.startswith("(countries) | regions 'Europe', 'europe' differ only in case") for m in said)


def test_a_bloc_or_id_that_reads_alike_is_warned_of(ex: Path):
    """'atlantic' beside 'atlantic' with a zero-width joiner, or a supplier in fullwidth letters,
    read as one and were two: DE no ally of FR, a plan listing 'S_DE_Dresden, S_DE_Dresden' (an
    audit of hostile names). A line separator in an id is refused."""
    edit(ex / "countries.csv", "DE,Europe,atlantic", "DE,Europe,atlantic\u200d")
    for table in ("suppliers", "supplier_products", "lanes"):  # a twin of S_CN_Wuxi in fullwidth letters
        path = ex / f"{table}.csv"
        rows = [r for r in path.read_text(encoding="utf-8").splitlines() if r.startswith("S_CN_Wuxi,")]
        path.write_text(path.read_text(encoding="utf-8") + "".join(r.replace("S_", "\uff33_", 1) + "\n"
                                                                   for r in rows), encoding="utf-8")
    # a twin of H_Hamburg with a Cyrillic 'а' (NFKC keeps it)
    hubs = (ex / "hubs.csv").read_text(encoding="utf-8")
    (ex / "hubs.csv").write_text(hubs + "".join(r.replace("H_Hamburg", "H_H\u0430mburg") + "\n"
                                                for r in hubs.splitlines() if r.startswith("H_Hamburg,")),
                                 encoding="utf-8")
    with pytest.warns(DataWarning) as caught:
        read_network(ex)
    said = [str(w.message) for w in caught]
    assert any(m.startswith("(countries) | blocs 'atlantic', 'atlantic\\u200d' read alike (they differ only "
                            "in case, width, letters of other scripts drawn alike") for m in said), said
    assert any(m.startswith("(suppliers) | ids 'S_CN_Wuxi', '\uff33_CN_Wuxi' read alike") for m in said), said
    assert any(m.startswith("(hubs) | ids 'H_Hamburg', 'H_H\u0430mburg' read alike") for m in said), said
    edit(ex / "markets.csv", "Berlin,", "Ber\u2028lin,")
    assert any("holds a control or invisible character" in p for p in problems(ex))


def test_an_invisible_character_in_a_bloc_or_an_id_is_refused_at_its_cell(ex: Path):
    """'atlantic\u200b' reads as 'atlantic' and was a bloc of its own (DE no ally of FR)."""
    edit(ex / "countries.csv", "DE,Europe,atlantic", "DE,Europe,atlantic\u200b")
    edit(ex / "markets.csv", "Berlin,", "Ber\u00adlin,")
    assert set(problems(ex)) >= {
        r"(countries, row 2 'DE') | bloc 'atlantic\u200b' holds a control or invisible character; a bloc "
        "is printable text",
        r"(markets, row 2 'Ber\xadlin') | market 'Ber\xadlin' holds a control or invisible character; an id "
        "is printable text"}


def test_a_look_alike_letter_in_an_unknown_id_is_named(ex: Path):
    edit(ex / "markets.csv", "Berlin,DE,", "Berlin,D\u0415,")  # a Cyrillic capital IE
    assert one(ex) == ("(markets, row 2 'Berlin') | country 'D\u0415' is not in countries (it holds '\u0415' "
                       "(CYRILLIC CAPITAL LETTER IE), which no known name has: a look-alike letter?)")


def test_a_look_alike_letter_in_an_id_with_a_near_name_is_named(ex: Path):
    """The near name suggested looked the same as the id typed: 'S_СN_Ningde' (a Cyrillic ES)
    was refused with '(did you mean 'S_CN_Ningde'?)'. 'ALL' for every product is read as 'all'."""
    edit(ex / "lanes.csv", "S_CN_Ningde,H_Hamburg,all,", "S_\u0421N_Ningde,H_Hamburg,ALL,")
    (found,) = problems(ex)  # the one problem: 'ALL' is 'all'
    assert found.endswith("origin 'S_\u0421N_Ningde' is not a supplier, hub or market (did you mean "
                          "'S_CN_Ningde'? this one holds '\u0421' (CYRILLIC CAPITAL LETTER ES) where that "
                          "has 'C': a look-alike letter)")


def test_a_market_row_deleted_is_said_once_per_reference(ex: Path):
    """Prague's markets row deleted: beside 'market 'Prague' is not in markets', each demand row
    said 'no lane reaches market 'Prague'' although two lanes do (they are refused as unknown
    destinations): three errors that contradict the data for one missing row (audit)."""
    edit(ex / "markets.csv", "Prague,CZ,50.08,14.44\n", "")
    found = problems(ex)
    assert len(found) == 5 and not [p for p in found if "no lane reaches" in p]
    assert found[0] == "(demand, row 20 'Prague, cells') | market 'Prague' is not in markets"


def test_a_dot_for_thousands_beside_plain_thousands_is_warned_of(ex: Path):
    """'9.000' reads as 9 in a CSV (a workbook's text '9.000' is refused); beside '6100' it is
    most likely 9,000."""
    edit(ex / "supplier_products.csv", "S_BR_Manaus,cells,9000,", "S_BR_Manaus,cells,9.000,")
    with pytest.warns(DataWarning, match=r"\(supplier_products, row 2 'S_BR_Manaus, cells'\) \| capacity "
                                         r"'9\.000' is read as 9, though other rows of product 'cells' write "
                                         r"thousands without a separator \(8300\): if 9000 was meant \(a dot "
                                         r"for thousands\), write 9000"):
        net = read_network(ex)
    assert net.supplier_products["capacity"].iloc[0] == 9.0  # read as written, and said


def test_a_dot_before_three_digits_is_no_thousand_beside_another_products_thousands(ex: Path):
    """Displays counted in thousands (2.51, 1.125): '1.125' was said to be 1,125 'though other rows
    write thousands without a separator (4460)', a demand of cells, in another unit (audit): following
    the hint made it 1000 times too large. Only rows of the same product count."""
    header, *rows = (ex / "demand.csv").read_text(encoding="utf-8").splitlines()
    small = [f"{r.rsplit(',', 1)[0]},{int(r.rsplit(',', 1)[1]) / 1000:g}" if ",displays," in r else r
             for r in rows]
    small[2] = "Berlin,displays,1.125"
    (ex / "demand.csv").write_text("\n".join([header, *small]) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = read_network(ex)
    assert net.demand["demand"].iloc[2] == 1.125


def test_a_dot_for_thousands_in_every_row_of_an_amount_is_warned_of(ex: Path):
    """A CSV exported in a locale with a decimal comma writes every demand of 1,000 or more with a
    dot (4.460) and the rest plainly (446): read as 4.46, with no plain thousands beside it, it
    was not said. Every decimal of three digits, one ending in 0, in an amount column is now;
    the example's CO2 per unit, written with three decimals (1.767), is not."""
    def dotted(row: str) -> str:
        key, v = row.rsplit(",", 1)
        return f"{key},{int(v) // 1000}.{int(v) % 1000:03d}" if int(v) >= 1000 else row

    header, *rows = (ex / "demand.csv").read_text(encoding="utf-8").splitlines()
    (ex / "demand.csv").write_text("\n".join([header, *map(dotted, rows)]) + "\n", encoding="utf-8")
    with pytest.warns(DataWarning, match=r"\(demand, row 2 'Berlin, cells'\) \| demand '4\.460' is read as "
                                         r"4\.46, and every decimal of product 'cells' is written with three "
                                         r"digits: if 4460 was meant \(a dot for thousands\), write 4460; if "
                                         r"4\.46, write 4\.46"):
        net = read_network(ex)
    assert net.demand["demand"].iloc[0] == 4.46  # read as written, and said
    # none ends in 0
    unpadded = re.sub(r"\.(\d\d)0\n", r".\g<1>1\n", (ex / "demand.csv").read_text(encoding="utf-8"))
    (ex / "demand.csv").write_text(unpadded.replace("Berlin,chips,2.801", "Berlin,chips,446"),  # but 446
                                   encoding="utf-8")
    with pytest.warns(DataWarning, match=r"demand '4\.461' is read as 4\.461, and every decimal of"):
        read_network(ex)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_network(examples.electronics_path()).lanes["co2"].gt(1).any()
    # one product pasted so beside another's 2800.5: said (by product), where a column-wide rule hid it
    # once the comparison went by product (review)
    header, *rows = (ex / "demand.csv").read_text(encoding="utf-8").splitlines()
    rows = [r.replace("Munich,chips,1.411", "Munich,chips,2800.5") for r in rows]
    (ex / "demand.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.warns(DataWarning, match=r"demand '4\.461' is read as 4\.461, and every decimal of product "
                                         r"'cells' is written"):
        read_network(ex)


def test_a_row_with_a_cell_beyond_the_header_is_named_and_a_trailing_comma_is_none(ex: Path):
    edit(ex / "demand.csv", "Berlin,cells,4460\n", "Berlin,cells,4460,\n")
    edit(ex / "demand.csv", "Berlin,chips,2800\n", "Berlin,chips,2800,5\n")
    assert one(ex) == ("(demand, row 3 'Berlin, chips') | the row has 4 fields, the header 3: a cell beyond "
                       "the header's columns (a comma too many?)")
    edit(ex / "demand.csv", "Berlin,chips,2800,5\n", "Berlin,chips,2800,\n")
    assert read_network(ex).demand["demand"].iloc[0] == 4460


def test_a_quoted_cell_over_many_short_lines_is_held_to_the_cell_limit(ex: Path):
    """The limit was checked only when a line was long: a cell of 2,000 characters over 200
    quoted lines was read whole."""
    edit(ex / "countries.csv", "DE,Europe,atlantic", 'DE,Europe,"' + "abcdefghi\n" * 200 + '"')
    assert one(ex, Limits(cell_chars=1000)) == (
        "(countries, row 2) | the cell in column 'bloc' holds 2,000 characters, over the limit of 1,000 "
        "characters per cell (set RESILIENT_SC_MAX_CELL_CHARS to raise it)")


def test_tables_given_as_frames_are_held_to_the_cell_limit_the_files_are(tmp_path: Path):
    """Tables given as frames (the API, the app's *Use edits*) took a hub id of 1,601 characters,
    and the workbook written of that network was then refused by read_network (security audit):
    the limit is the readers', named by table, row and column."""
    frames = examples.tiny().frames()
    hubs = frames["hubs"].copy()
    hubs.loc[0, "hub"] = "H" * 1601
    with pytest.raises(ValidationError) as info:
        Network.from_frames({**frames, "hubs": hubs})
    assert info.value.problems == (
        "(hubs, row 2) | the cell in column 'hub' holds 1,601 characters, over the limit of 1,000 characters "
        "per cell (set RESILIENT_SC_MAX_CELL_CHARS to raise it)",)
    hubs.loc[0, "hub"] = "H" * 1000  # at the limit: read, written and read back
    lanes = frames["lanes"].replace(frames["hubs"].loc[0, "hub"], "H" * 1000)
    write_excel(tmp_path / "net.xlsx", Network.from_frames({**frames, "hubs": hubs, "lanes": lanes}).frames())
    assert read_network(tmp_path / "net.xlsx").hubs["hub"].iloc[0] == "H" * 1000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_named_like_a_missing_table_does_not_hang_the_reader(tiny_dir: Path):
    """A FIFO named like an absent table (tariffs_2025.csv, tarif.csv) hung validate, solve and the
    app for ever: the reader opened it to read a header (file system audit)."""
    (tiny_dir / "tariffs.csv").unlink()  # an optional table, absent
    for name in ("tariffs_2025.csv", "tarif.csv"):
        pipe = tiny_dir / name
        os.mkfifo(pipe)
        try:  # in a process of its own: a hang is a timeout here, not a suite that never ends
            done = subprocess.run([sys.executable, "-c", f"from resilient_sc import read_network; "
                                   f"print(len(read_network({str(tiny_dir)!r}).suppliers))"],
                                  capture_output=True, text=True, timeout=60, check=False)
        finally:
            pipe.unlink()
        assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr


def test_a_folder_that_cannot_be_read_and_a_name_too_long_are_one_problem(tiny_dir: Path, tmp_path: Path,
                                                                          monkeypatch):
    """A data folder of mode 000 raised PermissionError naming a table that was fine; a policy file
    name over 255 bytes raised a bare OSError (file system audit). (As root, modes bind no one:
    the folder's refusal is played by os.scandir.)"""
    real = os.scandir

    def refused(path):
        if Path(path) == tiny_dir:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refused)
    assert one(tiny_dir) == f"({tiny_dir}) | cannot read the folder: Permission denied"
    monkeypatch.setattr(os, "scandir", real)
    with pytest.raises(ValidationError) as info:
        Policy.from_file(tmp_path / ("p" * 256 + ".yaml"))
    (said,) = info.value.problems
    assert said.startswith("(policy) | cannot read …") and said.endswith(": File name too long")
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")  # a loop of links, not 'a broken link'
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(tmp_path / "a.yaml")
    assert info.value.problems == (
        "(policy) | cannot read a.yaml: it leads through a loop of symbolic links",)


def test_a_strict_open_xml_workbook_is_asked_for_as_xlsx(book: Path, tmp_path: Path):
    """Excel's 'Strict Open XML Spreadsheet' (other namespaces, in which openpyxl finds no cells)
    read as one 'its cells are missing from the file (a damaged workbook)' per sheet; saving it
    again, as the words said, would not help."""
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(strict, "w") as out:
        for item in src.infolist():
            data = src.read(item).replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                          b"http://purl.oclc.org/ooxml/spreadsheetml/main")
            out.writestr(item, data)
    assert one(strict) == ("(strict.xlsx) | saved as 'Strict Open XML Spreadsheet', which is not read; save "
                           "it as 'Excel Workbook (*.xlsx)'")


def test_tables_one_folder_down_are_pointed_to(tmp_path: Path, book: Path):
    """A zip unzipped into a folder of its name, or a workbook saved in the folder given: seven
    'required table is missing' lines, and no word of where the tables were."""
    shutil.copytree(examples.electronics_path(), tmp_path / "given" / "data")
    assert one(tmp_path / "given") == ("(given) | no table is in this folder itself, but its subfolder "
                                       "'data' holds the CSV tables: give that path")
    (tmp_path / "beside").mkdir()
    shutil.copy(book, tmp_path / "beside" / "network.xlsx")
    assert one(tmp_path / "beside").endswith("but it holds the workbook 'network.xlsx': give that path")


def test_a_row_with_many_fields_beyond_the_header_is_refused_unread(ex: Path):
    """Every row is read as wide as the widest: a row of 40 commas more is named by its number
    alone, the file not parsed."""
    edit(ex / "demand.csv", "Berlin,chips,2800\n", "Berlin,chips,2800" + "," * 40 + "\n")
    assert one(ex) == "(demand, row 3) | the row has 43 fields, the header 3"


def test_a_period_not_listed_names_the_period_meant_and_lists_them(tmp_path: Path):
    """'FY27' in periods beside demand for 2027: 'did you mean 2029?' (difflib ranks 2026, 2028
    and 2029 alike) and no list of the periods; a periods sheet typed as dates reads 2027-01-01,
    which the words never showed."""
    ex = tmp_path / "road"
    shutil.copytree(examples.electronics_roadmap_path(), ex)
    edit(ex / "periods.csv", "\n2027,", "\nFY27,")
    said = problems(ex)[0]
    assert said.endswith("| period '2027' is not in periods (did you mean 'FY27'?); periods are: 2026, 2028, "
                         "2029, 2030, FY27")
    edit(ex / "periods.csv", "\nFY27,", "\n2027-01-01,")
    assert "(periods holds '2027-01-01', a date cell: format the period column as Text)" in problems(ex)[0]


def test_a_weight_left_blank_beside_weights_given_is_warned_of(tmp_path: Path):
    """A blank weight is 1 (documented), and among discount factors it raised the roadmap's total
    from 55,773,796.51 to 56,346,449.08 without a word, where a weight of 0 was warned of."""
    ex = tmp_path / "road"
    shutil.copytree(examples.electronics_roadmap_path(), ex)
    edit(ex / "periods.csv", "\n2027,0.9524", "\n2027,")
    said = (r"^\(periods, row 3 '2027'\) \| weight is blank, so 1 \(a full period's weight\), though 4 "
            r"other rows give one: write 1 if meant, else its weight$")
    with pytest.warns(DataWarning, match=said):
        assert read_network(ex).periods["weight"].tolist()[1] == 1.0


@pytest.mark.parametrize(("suffix", "kind"), [(".xls", "an Excel 97-2003 workbook"),
                                              (".ods", "an OpenDocument spreadsheet"),
                                              (".xlsb", "an Excel binary workbook"),  # (audit)
                                              (".xltx", "an Excel template")])
def test_an_old_or_open_document_workbook_is_asked_for_as_xlsx(tmp_path: Path, suffix: str, kind: str):
    """A .xls or .ods path read 'expected a folder of CSV files or an .xlsx workbook', without the
    advice a renamed one gets."""
    path = tmp_path / f"book{suffix}"
    path.write_bytes(b"not read")
    with pytest.raises(ValidationError) as info:
        read_network(path)
    assert info.value.problems == (f"({path}) | {kind}: save it as .xlsx (Excel or LibreOffice: Save As, "
                                   "Excel Workbook) and give that",)


def test_one_csv_table_given_as_the_data_is_told_to_give_its_folder(ex: Path):
    """'demand.csv' given as DATA: 'expected a folder of CSV files or an .xlsx workbook' (audit)."""
    with pytest.raises(ValidationError) as info:
        read_network(ex / "demand.csv")
    assert info.value.problems == (f"({ex / 'demand.csv'}) | one table: give the folder that holds it and "
                                   f"the other tables' CSV files ({ex})",)


def test_an_id_copied_with_the_quote_of_an_escaped_cell_is_named(ex: Path):
    """A row copied from an output CSV into the data (the library escapes text that would read as
    a formula with a leading quote) was refused with "did you mean ''-S1'?"-like words."""
    edit(ex / "lanes.csv", "S_CN_Ningde,H_Hamburg,all,", "'S_CN_Ningde,H_Hamburg,all,")
    (found,) = problems(ex)
    assert found.endswith("origin \"'S_CN_Ningde\" is not a supplier, hub or market (did you mean "
                          "'S_CN_Ningde'? a leading ' marks text that would read as a formula, in the CSV "
                          "files the library writes and in spreadsheets: leave it out)")
