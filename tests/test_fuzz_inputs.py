"""Property-based fuzzing of the input readers (issue 15): the CSV folder reader, the workbook
reader and the policy loaders, starting from the bundled electronics example.

Each generated case corrupts a copy of the example (cells, columns, rows, bytes, encodings,
files; YAML and JSON policies) and asserts: the reader returns a valid Network or Policy, or
raises a clean :class:`ValidationError` whose problems are single lines naming a table (or the
file); never another exception; the inputs are unchanged; each case within seconds. Runs are
reproducible (``derandomize=True``): 1,100 cases in all, under a minute on two cores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resilient_sc import DataWarning, Network, Policy, ValidationError, examples, read_network
from resilient_sc.policies import load_policies
from resilient_sc.policy import POLICY_FIELDS, PolicyError
from resilient_sc.schema import TABLES

BASE = examples.electronics_path()
FILES = {p.name: p.read_bytes() for p in sorted(BASE.glob("*.csv"))}
ROWS = {name: list(csv.reader(io.StringIO(data.decode()))) for name, data in FILES.items()}
POLICY = (BASE / "policy.yaml").read_text(encoding="utf-8")
POLICIES = (BASE / "policies.yaml").read_text(encoding="utf-8")
NETWORK = examples.electronics()

#: the figures of this run, printed at the end of the module (pytest -s)
STATS: Counter[str] = Counter()
WORST: dict[str, float] = {"seconds": 0.0}
CASE_SECONDS = 10.0


def fuzz(n: int) -> Callable:
    n = max(1, int(n * float(os.environ.get("FUZZ_SCALE", "1"))))
    return settings(max_examples=n, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    if STATS["cases"]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))
        print(f"\nfuzz: {STATS['cases']} cases, {STATS['valid']} valid, {STATS['errors']} clean "
              f"ValidationErrors, 0 other exceptions, 0 inputs changed, worst "
              f"{WORST['seconds']:.2f} s per case ({kinds})")


# ---- checks shared by every case -------------------------------------------------------------------
#: a row's ids may hold ')' (an id ')' or 'Plant (North)', quoted): the row part ends at the first ') | '
PROBLEM = re.compile(r"\((?P<label>[^,)]+)(, rows? .*?)?\) \| \S.*")


def clean(problems: tuple[str, ...], labels: set[str]) -> None:
    """Every problem one line, short, headed by a known table or file."""
    assert problems
    for p in problems:
        assert "\n" not in p and len(p) < 800, p
        m = PROBLEM.fullmatch(p)
        assert m is not None, p
        assert m["label"] in labels or m["label"].startswith("policy"), p


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for entry in sorted(folder.iterdir()):
        h.update(entry.name.encode())
        if entry.is_symlink():
            h.update(b"link:" + str(entry.readlink()).encode())
        elif entry.is_file():
            h.update(entry.read_bytes())
        else:
            h.update(b"dir")
    return h.hexdigest()


def timed(kind: str, fn: Callable[[], object], labels: set[str], inputs: Path) -> object:
    """``fn()``: a result, or None after a clean ValidationError; inputs unchanged, time bounded."""
    before = digest(inputs)
    start = time.perf_counter()
    result = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            result = fn()
            STATS["valid"] += 1
        except ValidationError as exc:
            clean(exc.problems, labels)
            STATS["errors"] += 1
    seconds = time.perf_counter() - start
    WORST["seconds"] = max(WORST["seconds"], seconds)
    STATS["cases"] += 1
    STATS[kind] += 1
    assert seconds < CASE_SECONDS
    assert digest(inputs) == before, "an input changed"
    return result


# ---- the CSV folder ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(BASE, tmp_path_factory.mktemp("fuzz") / "ex",
                                ignore=shutil.ignore_patterns("*.py", "*.md", "*.yaml")))


def reset(folder: Path) -> None:
    """The folder back to the example (only what a case changed is rewritten)."""
    for entry in folder.iterdir():
        if entry.name not in FILES or entry.is_symlink() or not entry.is_file():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for name, data in FILES.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)


def read_case(folder: Path, changes: dict[str, bytes | None]) -> None:
    reset(folder)
    for name, data in changes.items():
        if data is None:
            (folder / name).unlink(missing_ok=True)
        else:
            (folder / name).write_bytes(data)
    result = timed("csv", lambda: read_network(folder), {*TABLES, folder.name}, folder)
    assert result is None or isinstance(result, Network)


def to_csv(rows: list[list[str]], quoted: bool = True) -> bytes:
    if not quoted:
        return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8", "surrogatepass")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


CELLS = st.one_of(
    st.sampled_from(["", " ", "NA", "N/A", "nan", "NaN", "None", "null", "inf", "-inf", "Infinity",
                     "1e308", "-1e308", "1e400", "-0", "0x10", "1,000", "1_000", "1e15", "1e16",
                     "=1+2", '=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\t1", "TRUE", "#DIV/0!",
                     "\x00", "\ufeff", "é", "中国", "all", "default", "open", "closed", "country",
                     "hub", "DE", "H_Hamburg", "S_CN_Ningde", "cells", '"', "'", "\r", "\n", "a,b"]),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=20),
    st.integers(min_value=990, max_value=1100).map(lambda n: "x" * n),
)
NAMES = sorted(FILES)


@st.composite
def cell_edits(draw: st.DrawFn) -> dict[str, bytes | None]:
    name = draw(st.sampled_from(NAMES))
    rows = [list(r) for r in ROWS[name]]
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(CELLS)
    return {name: to_csv(rows, quoted=draw(st.booleans()))}


@st.composite
def column_edits(draw: st.DrawFn) -> dict[str, bytes | None]:
    name = draw(st.sampled_from(NAMES))
    rows = [list(r) for r in ROWS[name]]
    c = draw(st.integers(0, len(rows[0]) - 1))
    op = draw(st.sampled_from(["drop", "rename", "typo", "duplicate", "swap", "add", "case"]))
    if op == "drop":
        rows = [r[:c] + r[c + 1:] for r in rows]
    elif op == "rename":
        rows[0][c] = draw(st.text(max_size=15))
    elif op == "typo":
        head = rows[0][c]
        i = draw(st.integers(0, max(len(head) - 1, 0)))
        rows[0][c] = head[:i] + head[i + 1:]
    elif op == "duplicate":
        rows = [[*r, r[c]] for r in rows]
    elif op == "swap":
        d = draw(st.integers(0, len(rows[0]) - 1))
        rows[0][c], rows[0][d] = rows[0][d], rows[0][c]
    elif op == "add":
        head = draw(st.sampled_from(["", "notes", "unitcost", "Unit_Cost", "capacity", " co2 "]))
        rows = [[*rows[0], head]] + [[*r, draw(CELLS)] for r in rows[1:]]
    else:
        rows[0][c] = rows[0][c].upper()
    return {name: to_csv(rows)}


@st.composite
def row_edits(draw: st.DrawFn) -> dict[str, bytes | None]:
    name = draw(st.sampled_from(NAMES))
    rows = [list(r) for r in ROWS[name]]
    op = draw(st.sampled_from(["delete", "duplicate", "garbage", "blank", "truncate", "ragged"]))
    r = draw(st.integers(1, max(len(rows) - 1, 1)))
    if op == "delete" and len(rows) > 1:
        del rows[r]
    elif op == "duplicate" and len(rows) > 1:
        rows.insert(r, list(rows[r]))
    elif op == "garbage":
        rows.insert(r, draw(st.lists(CELLS, max_size=8)))
    elif op == "blank":
        rows.insert(r, [])
    elif op == "truncate":
        rows = rows[:r]
    else:
        rows[min(r, len(rows) - 1)] = rows[min(r, len(rows) - 1)][:-1]
    return {name: to_csv(rows, quoted=op != "ragged")}


@st.composite
def byte_edits(draw: st.DrawFn) -> dict[str, bytes | None]:
    name = draw(st.sampled_from(NAMES))
    data = FILES[name]
    op = draw(st.sampled_from(["flip", "insert", "truncate", "bom8", "bom16", "utf16", "latin1",
                               "crlf", "cr", "nul", "random"]))
    at = draw(st.integers(0, len(data)))
    if op == "flip":
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 4:]
    elif op == "insert":
        data = data[:at] + draw(st.binary(max_size=16)) + data[at:]
    elif op == "truncate":
        data = data[:at]
    elif op == "bom8":
        data = b"\xef\xbb\xbf" + data
    elif op == "bom16":
        data = b"\xff\xfe" + data
    elif op == "utf16":
        data = data.decode().encode("utf-16")
    elif op == "latin1":
        data = data.replace(b"Sao", "São".encode("latin-1")) + "Münster,DE\n".encode("latin-1")
    elif op == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif op == "cr":
        data = data.replace(b"\n", b"\r")
    elif op == "nul":
        data = data[:at] + b"\x00" + data[at:]
    else:
        data = draw(st.binary(max_size=200))
    return {name: data}


@st.composite
def file_edits(draw: st.DrawFn) -> dict[str, bytes | None]:
    name = draw(st.sampled_from(NAMES))
    op = draw(st.sampled_from(["delete", "empty", "header_only", "rename", "extra"]))
    if op == "delete":
        return {name: None}
    if op == "empty":
        return {name: b""}
    if op == "header_only":
        return {name: FILES[name].split(b"\n")[0] + b"\n"}
    if op == "rename":
        stem = name[:-4]
        i = draw(st.integers(0, len(stem) - 1))
        return {name: None, f"{stem[:i]}{stem[i + 1:]}.csv": FILES[name]}
    return {draw(st.sampled_from(["notes.csv", "Suppliers.csv", "lane.csv", "x.txt"])): FILES[name]}


@given(edit=cell_edits())
@fuzz(300)
def test_corrupt_cells(folder: Path, edit: dict[str, bytes | None]) -> None:
    read_case(folder, edit)


@given(edit=column_edits())
@fuzz(120)
def test_corrupt_columns(folder: Path, edit: dict[str, bytes | None]) -> None:
    read_case(folder, edit)


@given(edit=row_edits())
@fuzz(120)
def test_corrupt_rows(folder: Path, edit: dict[str, bytes | None]) -> None:
    read_case(folder, edit)


@given(edit=byte_edits())
@fuzz(140)
def test_corrupt_bytes_and_encodings(folder: Path, edit: dict[str, bytes | None]) -> None:
    read_case(folder, edit)


@given(edit=file_edits())
@fuzz(40)
def test_corrupt_files(folder: Path, edit: dict[str, bytes | None]) -> None:
    read_case(folder, edit)


@given(edits=st.lists(st.one_of(cell_edits(), column_edits(), row_edits(), byte_edits()),
                      min_size=2, max_size=3))
@fuzz(60)
def test_several_corruptions_at_once(folder: Path, edits: list[dict[str, bytes | None]]) -> None:
    merged: dict[str, bytes | None] = {}
    for edit in edits:
        merged.update(edit)
    read_case(folder, merged)


# ---- the workbook -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in NETWORK.frames().items():
            df.to_excel(xl, sheet_name=name, index=False)
    return buf.getvalue()


@given(at=st.integers(0, 10**9), junk=st.binary(min_size=1, max_size=8),
       op=st.sampled_from(["flip", "truncate", "insert"]))
@fuzz(40)
def test_corrupt_workbook_bytes(tmp_path_factory: pytest.TempPathFactory, workbook: bytes, at: int,
                                junk: bytes, op: str) -> None:
    at %= len(workbook)
    data = (workbook[:at] + junk + workbook[at + len(junk):] if op == "flip" else workbook[:at]
            if op == "truncate" else workbook[:at] + junk + workbook[at:])
    folder = tmp_path_factory.mktemp("book", numbered=True)
    path = folder / "net.xlsx"
    path.write_bytes(data)
    result = timed("xlsx", lambda: read_network(path), {*TABLES, "net.xlsx"}, folder)
    assert result is None or isinstance(result, Network)
    shutil.rmtree(folder)


# ---- policies -----------------------------------------------------------------------------------------
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
                    st.floats(), st.text(max_size=12),
                    st.sampled_from(["CN", "cn", "XX", "DE", "Europe", "europe", "cells", "country",
                                     "hub", "supplier", "planet"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
        ["Europe", "Asia", "cells", "chips", "CN"])), inner, max_size=4)), max_leaves=12)
FIELDS = st.one_of(st.sampled_from(list(POLICY_FIELDS)), st.text(max_size=16),
                   st.sampled_from(["min_local_shar", "Survive", "excluded_country", "1", ""]))


def policy_case(path: Path, text: str | bytes, many: bool = False) -> None:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)

    def load() -> object:
        if many:
            for policy in load_policies(path).values():
                policy.check_network(NETWORK)
            return None
        policy = Policy.from_file(path)
        policy.check_network(NETWORK)
        return policy

    timed("policy", load, {"policy", "policies"}, path.parent)


def heading_names_the_file(path: Path, fn: Callable[[], object]) -> None:
    try:
        fn()
    except PolicyError as exc:
        assert str(exc).startswith(("policy file ", "policies file ")) and str(path) in str(exc)


@given(data=st.dictionaries(FIELDS, VALUES, max_size=5), as_json=st.booleans())
@fuzz(200)
def test_policy_values(tmp_path_factory: pytest.TempPathFactory, data: dict, as_json: bool) -> None:
    folder = tmp_path_factory.mktemp("pol", numbered=True)
    path = folder / ("p.json" if as_json else "p.yaml")
    try:
        text = (json.dumps(data, allow_nan=True) if as_json
                else yaml.safe_dump(data, allow_unicode=True))
    except (ValueError, yaml.YAMLError):
        return
    policy_case(path, text)
    heading_names_the_file(path, lambda: Policy.from_file(path).check_network(NETWORK))
    shutil.rmtree(folder)


SNIPPETS = st.sampled_from(["&a ", "*a", "<<: *a\n", "!!python/object/apply:os.system ['true']",
                            "!!binary aGVsbG8=", "? [a, b]\n: c\n", "\t", "{", "}", "[", "]", ":",
                            "- ", "---\n", "...\n", "%YAML 1.1\n", "\"", "'", "#", "\\", "\x00",
                            "\ufeff", "yes", "~", ".nan", ".inf", "0x1F", "1e400", "2024-01-01"])


@given(base=st.sampled_from([POLICY, POLICIES]), at=st.integers(0, 10**6),
       insert=st.lists(st.one_of(SNIPPETS, st.text(max_size=6)), min_size=1, max_size=4),
       cut=st.integers(0, 5))
@fuzz(200)
def test_policy_yaml_text(tmp_path_factory: pytest.TempPathFactory, base: str, at: int,
                          insert: list[str], cut: int) -> None:
    folder = tmp_path_factory.mktemp("yml", numbered=True)
    at %= len(base) + 1
    text = base[:at] + "".join(insert) + base[at + cut:]
    policy_case(folder / "p.yaml", text, many=base is POLICIES)
    shutil.rmtree(folder)


@given(raw=st.binary(max_size=120), suffix=st.sampled_from([".yaml", ".json"]))
@fuzz(80)
def test_policy_garbage_bytes(tmp_path_factory: pytest.TempPathFactory, raw: bytes, suffix: str) -> None:
    folder = tmp_path_factory.mktemp("raw", numbered=True)
    policy_case(folder / f"p{suffix}", raw)
    shutil.rmtree(folder)


# ---- a handful through the command line: exit 2, one JSON object, no traceback ----------------------
@pytest.mark.parametrize("case", ["nan_cost", "alias_bomb", "namibia_blank_header"])
def test_command_line_reports_hostile_inputs_cleanly(tmp_path: Path, case: str) -> None:
    import subprocess
    import sys

    data = Path(shutil.copytree(BASE, tmp_path / "ex"))
    args = ["validate", str(data)]
    if case == "nan_cost":
        (data / "lanes.csv").write_bytes(FILES["lanes.csv"].replace(b",5.09,", b",NaN,", 1))
    elif case == "alias_bomb":
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
        (tmp_path / "bomb.yaml").write_text("\n".join([*lines, "survive: *a8"]) + "\n", encoding="utf-8")
        args = ["solve", str(data), "--policy", str(tmp_path / "bomb.yaml")]
    else:
        (data / "countries.csv").write_bytes(b"country,region,,\n" + b"NA,Africa,,x\n")
    before = digest(data)
    run = subprocess.run([sys.executable, "-m", "resilient_sc.cli", *args, "--json"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    out = json.loads(run.stdout)
    assert out["status"] == "invalid_input" and len(run.stdout) < 20_000
    assert all("\n" not in p for p in out["problems"])
    assert digest(data) == before


def test_a_workbook_of_a_zip_version_python_does_not_read_is_one_clear_error(tmp_path: Path) -> None:
    """A flipped byte in the archive's directory (the version needed to extract, 6.4 and above:
    hypothesis found it) ended in zipfile's NotImplementedError, a traceback."""
    from resilient_sc import ValidationError, examples
    from resilient_sc.io import write_excel

    path = tmp_path / "net.xlsx"
    write_excel(path, examples.tiny().frames())
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")  # the first member's central directory record
    raw[entry + 6:entry + 8] = (99).to_bytes(2, "little")  # version needed to extract: 9.9
    path.write_bytes(bytes(raw))
    with pytest.raises(ValidationError, match=r"\(net\.xlsx\) \| not an \.xlsx workbook"):
        read_network(path)
