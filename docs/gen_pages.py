"""Generated parts of the docs, so that they cannot drift from the code.

A page marks a generated block as ``<!-- gen:NAME ARG -->`` ... ``<!-- /gen:NAME -->``:

* ``schema-tables``: every table and column of :data:`resilient_sc.schema.TABLES`;
* ``formulation``: the docstring (formula and section of the formulation or conventions
  page it implements) of every constraint family of
  :data:`resilient_sc.model.build.FAMILIES`, in build order;
* ``policy-fields``: every :class:`~resilient_sc.Policy` field as
  :data:`resilient_sc.policy.POLICY_FIELDS` declares it (description, symbol, unit, range,
  mapping keys), with its type and default;
* ``policy-messages FIELD``: the real messages of the library for an infeasible or invalid
  ``FIELD``, produced by solving small networks;
* ``cli-reference``: ``resilient-sc COMMAND --help`` for every subcommand;
* ``benchmark-results``: ``benchmarks/results/*.md`` when present, else how to produce them;
* ``cli-output [exit=N] ARGS``: what ``resilient-sc ARGS`` prints (stderr, then stdout), run
  in-process; the command must exit with code N (default 0);
* ``cli-session [exit=N]`` followed by shell lines, one per line: a ``bash`` block of the lines
  as written and a ``text`` block of what the last one prints. A line is ``resilient-sc ...``
  (run in-process, exit code 0 except the last, which must exit N) or ``echo TEXT > FILE`` /
  ``echo TEXT >> FILE``; ``# comments`` are shown but not run;
* ``python-output``: what the ``python`` code block just above it prints when run;
* ``file PATH``: a file of the repository (e.g. a policy YAML), verbatim.

Every block of a page runs in one working directory of its own, a temporary copy of
``examples/`` (so ``examples/electronics`` is the bundled network, and files written by
one block are there for the next ones), and every ``python`` block of a page in one
namespace (as a script: ``__name__`` is ``"__main__"``). Durations (``0.123 s``) are shown as
``… s``, so that the committed pages change only when the results do.

``mkdocs build`` regenerates the blocks through :func:`on_page_markdown` (this file is the
``hooks:`` entry of mkdocs.yml); ``python docs/gen_pages.py`` rewrites them in the committed
pages, so that the pages read the same on GitHub (``--check``: only list the stale pages).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import math
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BLOCK = re.compile(r"(<!-- gen:(?P<name>[\w-]+)(?P<arg>(?:\s.*?)?)\s-->\n)(?P<body>.*?)"
                   r"(<!-- /gen:(?P=name) -->)", re.DOTALL)


# ---- generators ---------------------------------------------------------------------------
def schema_tables(arg: str = "") -> str:
    from resilient_sc.template import schema_markdown

    return schema_markdown("###")


def _markdown_text(doc: str) -> str:
    """A docstring as Markdown: ``code`` becomes `code`; brackets, stars and underscores outside
    code are escaped so that formulas such as x[s,h,p] stay literal."""
    parts = inspect.cleandoc(doc).replace("``", "`").split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\[\]*_])", r"\\\1", parts[i])
    return "`".join(parts)


#: a section of the docs as code cites it: "docs/conventions.md §8.5", or a bare "§8.5"
SECTION = re.compile(r"(?:docs/(?:data|formulation|conventions)\.md )?§(?P<number>\d+[a-z]?(?:\.\d+)?)")


def section_link(number: str, here: str = "") -> str:
    """The link to section ``number`` of the docs (§1 the data page, §2–§7 the formulation,
    §8.N the conventions), relative to the page ``here``."""
    page = "data.md" if number == "1" else "conventions.md" if number.startswith("8") else "formulation.md"
    return f"[§{number}]({'' if page == here else page}#{number})"


def formulation(arg: str = "") -> str:
    from resilient_sc.model.build import FAMILIES

    out = []
    for family in FAMILIES:
        module = family.__module__.removeprefix("resilient_sc.")
        text = SECTION.sub(lambda m: section_link(m["number"], "formulation.md"),
                           _markdown_text(family.__doc__ or ""))
        out += [f"### `{family.__name__}`", "", f"*{module}*", "", text, ""]
    return "\n".join(out)


def _field_range(row: Any) -> str:
    """The values a policy field takes, in words (a row of POLICY_FIELDS)."""
    if row.range is not None:
        lo, hi = row.range
        text = f"[{lo:g}, {hi:g}]" if math.isfinite(hi) else f"≥ {lo:g}"
        return f"whole number {text}" if row.integer else text
    if row.choices:
        return "subset of " + ", ".join(f"`{c}`" for c in row.choices)
    return "true or false" if row.type == "bool" else "—"


def policy_fields(arg: str = "") -> str:
    from resilient_sc.policy import POLICY_FIELDS

    rows = ["| field | what | symbol | unit | values | mapping keys | type | default |",
            "|---|---|---|---|---|---|---|---|"]
    for row in POLICY_FIELDS.values():
        cells = [f"[`{row.name}`](#{row.name})", row.description, row.symbol or "—", row.unit or "—",
                 _field_range(row), " or ".join(row.keys) or "—",
                 f"`{row.type.replace(' | ', ' or ')}`", f"`{row.default!r}`"]
        rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(rows)


def _tiny_variant(source: str = "tiny", **edit: Callable[[pd.DataFrame], Any]) -> Any:
    """The tiny example (S_FR, S_CN -> H1 -> Paris, 80 units) with some tables edited, named
    ``source`` in the docs."""
    from resilient_sc import Network, examples

    frames = examples.tiny().frames()
    for name, fn in edit.items():
        fn(frames[name])
    return Network.from_frames(source=source, **{k: v for k, v in frames.items() if len(v)})


def _set(column: str, values: list[Any]) -> Callable[[pd.DataFrame], None]:
    def edit(df: pd.DataFrame) -> None:
        df[column] = values
    return edit


def _two_hubs(split_lanes: bool) -> Any:
    """Paris wants 10 units each of products a and b from S1 through H1 or H2: with
    ``split_lanes`` H1 has a lane to Paris for a only and H2 for b only; without, both carry
    both products but each hub handles at most 15 units."""
    from resilient_sc import Network

    return Network.from_frames(
        source=("two-hub (H1 reaches Paris with product a only, H2 with b only)" if split_lanes
                else "two-hub (each hub carries both products to Paris, 15 units at most)"),
        countries=pd.DataFrame({"country": ["FR"], "region": ["Europe"]}),
        suppliers=pd.DataFrame({"supplier": ["S1"], "country": ["FR"]}),
        supplier_products=pd.DataFrame({"supplier": ["S1", "S1"], "product": ["a", "b"],
                                        "capacity": [100, 100]}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": ["FR", "FR"],
                           "capacity": [float("inf")] * 2 if split_lanes else [15, 15]}),
        markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        demand=pd.DataFrame({"market": ["Paris", "Paris"], "product": ["a", "b"], "demand": [10, 10]}),
        lanes=pd.DataFrame({"origin": ["S1", "S1", "H1", "H2"], "destination": ["H1", "H2", "Paris", "Paris"],
                            "product": ["all", "all", *(["a", "b"] if split_lanes else ["all", "all"])],
                            "unit_cost": [1, 1, 1, 1]}))


def _local_by_hub() -> Any:
    """Paris (France) wants 10 units each of a and b through H1 or H2: S_FR (France) reaches H1
    with a only and H2 with b only, S_CN (China) both hubs with both."""
    from resilient_sc import Network

    return Network.from_frames(
        source="two-hub (S_FR in France reaches H1 with product a only and H2 with b only, S_CN in China "
               "both hubs with both; each hub carries both to Paris)",
        countries=pd.DataFrame({"country": ["FR", "CN"], "region": ["Europe", "Asia"]}),
        suppliers=pd.DataFrame({"supplier": ["S_FR", "S_CN"], "country": ["FR", "CN"]}),
        supplier_products=pd.DataFrame({"supplier": ["S_FR", "S_FR", "S_CN", "S_CN"],
                                        "product": ["a", "b", "a", "b"], "capacity": [100] * 4}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": ["FR", "FR"]}),
        markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        demand=pd.DataFrame({"market": ["Paris", "Paris"], "product": ["a", "b"], "demand": [10, 10]}),
        lanes=pd.DataFrame({"origin": ["S_FR", "S_FR", "S_CN", "S_CN", "H1", "H2"],
                            "destination": ["H1", "H2", "H1", "H2", "Paris", "Paris"],
                            "product": ["a", "b", "all", "all", "all", "all"], "unit_cost": [1] * 6}))


@functools.cache
def _messages() -> dict[str, list[tuple[str, str]]]:
    """field -> [(what was asked, the library's message)], from real solves."""
    from resilient_sc import Policy, ValidationError, solve
    from resilient_sc.exceptions import InfeasiblePolicyError

    small = _tiny_variant(supplier_products=_set("capacity", [30.0, 100.0]))  # S_FR makes 30
    co2 = _tiny_variant("tiny (both suppliers of capacity 100, S_FR emitting 1 CO2 unit a unit and "
                        "S_CN 3)", supplier_products=_set("co2", [1.0, 3.0]))
    open_fr = _tiny_variant("tiny (S_FR of capacity 100 and status open)",
                            suppliers=_set("status", ["open", "candidate"]))
    cases: dict[str, list[tuple[Any, Policy]]] = {
        "min_suppliers": [(small, Policy(min_suppliers=3))],
        "max_supplier_share": [(small, Policy(max_supplier_share=0.3))],
        "max_country_share": [(small, Policy(max_country_share=0.5)),
                              (small, Policy(max_country_share=1.4))],
        "min_local_share": [(small, Policy(min_local_share=0.6)),
                            (small, Policy(min_local_share={"Mars": 0.5}))],
        "min_allied_share": [(small, Policy(min_allied_share=0.6))],
        "excluded_countries": [(small, Policy(excluded_countries=("CN",))),
                               (open_fr, Policy(excluded_countries=("FR",)))],
        "survive": [(small, Policy(survive=("supplier",)))],
        "service_level": [(small, Policy(survive=("country",), service_level=0.5))],
        "co2_cap": [(co2, Policy(co2_cap=50))],
        "single_sourcing": [(_two_hubs(True), Policy(single_sourcing=True)),
                            (_two_hubs(False), Policy(single_sourcing=True)),
                            (_local_by_hub(), Policy(single_sourcing=True, min_local_share=0.5))],
        "min_hubs": [(small, Policy(min_hubs=2))],
        "max_hubs": [(small, Policy(max_hubs=0))],
        "max_region_share": [(small, Policy(max_region_share=0.5))],
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for field, runs in cases.items():
        for net, policy in runs:
            asked = ", ".join(f"{k}={v!r}" for k, v in policy.to_dict().items())
            try:
                solve(net, policy)
            except (InfeasiblePolicyError, ValidationError) as exc:
                out.setdefault(field, []).append((f"With `{asked}` on the {net.source} network:", str(exc)))
                continue
            raise RuntimeError(f"docs: {asked} on {net.source} was expected to fail but solved")
    return out


def policy_messages(arg: str) -> str:
    field = arg.strip()
    runs = _messages().get(field)
    if not runs:
        raise KeyError(f"docs: no example message for policy field {field!r}")
    return "\n".join(f"{asked}\n\n```text\n{message}\n```\n" for asked, message in runs)


def cli_reference(arg: str = "") -> str:
    from resilient_sc.cli import COMMANDS, main

    out = []
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help text to this width
    try:
        for name in ["", *COMMANDS]:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                main([name, "--help"] if name else ["--help"])
            title = f"### `resilient-sc {name}`" if name else "### `resilient-sc`"
            help_line = f"{COMMANDS[name].help}\n\n" if name else ""
            out.append(f"{title}\n\n{help_line}```text\n{buffer.getvalue().rstrip()}\n```\n")
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(out)


def _demote(text: str) -> str:
    """A results file for inclusion: headings two levels down; relative links and images become
    plain text (they point into benchmarks/results/, outside the docs)."""
    text = re.sub(r"^(#+ )", r"##\1", text, flags=re.MULTILINE)
    text = re.sub(r"!\[([^\]]*)\]\((?!https?:)([^)]+)\)", r"*(figure: benchmarks/results/\2)*", text)
    return re.sub(r"\[([^\]]+)\]\((?!https?:|#)([^)]+)\)", r"\1 (`benchmarks/results/\2`)", text)


BENCHMARK_HOWTO = """No results are committed yet. Run the registered benchmarks from a source checkout; each
writes its tables to `benchmarks/results/`, which this page then includes:

```bash
python benchmarks/run.py --quick     # smoke run, a minute
python benchmarks/run.py             # every benchmark at full size (hours on 2 cores)
```
"""


def benchmark_results(arg: str = "") -> str:
    """The committed full-size results (smoke runs left out), the summary first."""
    files = sorted((ROOT / "benchmarks" / "results").glob("*.md"),
                   key=lambda f: (f.stem != "summary", not f.stem.startswith("orlib"), f.stem))
    files = [f for f in files if not f.stem.endswith("_quick")]
    if not files:
        return BENCHMARK_HOWTO
    return "\n".join(f"{_demote(f.read_text(encoding='utf-8')).strip()}\n\n"
                     f"*From `benchmarks/results/{f.name}`.*\n" for f in files)


# ---- real output: commands and code run when the docs are built ------------------------------
class Page:
    """What the blocks of one page share: a working directory (a temporary copy of
    ``examples/``, made on first use), the namespace of its python blocks, and the page's
    text before the block being filled."""

    def __init__(self) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.namespace: dict[str, Any] = {"__name__": "__main__"}  # blocks are scripts
        self.before = ""

    @property
    def workdir(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="resilient_sc-docs-")
            shutil.copytree(ROOT / "examples", Path(self._tmp.name) / "examples",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return Path(self._tmp.name)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


_page: Page | None = None


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def _current_page() -> Page:
    if _page is None:
        raise RuntimeError("docs: this block runs only inside render()")
    return _page


DURATION = re.compile(r"\b\d+\.\d+ s\b")
#: the times of a solve report's parenthesis: ``(build 0.001, solve 0.076, certify 0.001; ...``
REPORT_TIMES = re.compile(r"\b(build|solve|certify) \d+\.\d+\b")


def _tidy(text: str) -> str:
    """Output as shown: durations masked (they change on every run), trailing blanks dropped."""
    text = REPORT_TIMES.sub(r"\1 …", DURATION.sub("… s", text))
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _expected_exit(arg: str) -> tuple[int, str]:
    """``exit=N rest`` -> (N, rest); without ``exit=``, (0, arg)."""
    m = re.match(r"\s*exit=(\d+)\b", arg)
    return (int(m[1]), arg[m.end():]) if m else (0, arg)


def _run(args: list[str], folder: Path) -> tuple[int, str]:
    from resilient_sc.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _in(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, err.getvalue() + out.getvalue()


def _inputs(args: list[str], folder: Path) -> tuple[Any, ...]:
    """The contents of every file and folder that ``args`` name, relative to ``folder``."""
    state: list[tuple[str, bytes]] = []
    for a in args:
        path = folder / a
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        state += [(f.relative_to(folder).as_posix(), f.read_bytes()) for f in files if f.is_file()]
    return tuple(state)


#: (arguments, inputs) -> (exit code, output) of the read-only commands run in this build
_cli_cache: dict[tuple[Any, ...], tuple[int, str]] = {}


def run_cli(args: list[str], expect: int = 0) -> str:
    """What ``resilient-sc ARGS`` prints in the page's working directory (stderr, then stdout);
    an exit code other than ``expect`` stops the build with the output. A command that writes
    no files (no ``--out``) and was run on the same inputs before, on another page, is not run
    again."""
    folder = _current_page().workdir
    if "--out" in args or args[:1] == ["init"]:
        code, output = _run(args, folder)
    else:
        key = (tuple(args), _inputs(args, folder))
        if key not in _cli_cache:
            _cli_cache[key] = _run(args, folder)
        code, output = _cli_cache[key]
    if code != expect:
        raise RuntimeError(f"docs: `resilient-sc {shlex.join(args)}` exited with {code}, "
                           f"expected {expect}:\n{output}")
    return _tidy(output)


def cli_output(arg: str) -> str:
    expect, rest = _expected_exit(arg)
    return f"```text\n{run_cli(shlex.split(rest), expect)}\n```"


def _echo(words: list[str], folder: Path) -> None:
    """``echo TEXT > FILE`` or ``echo TEXT >> FILE`` in ``folder``."""
    if len(words) != 4 or words[2] not in (">", ">>"):
        raise ValueError(f"docs: cli-session runs `echo TEXT > FILE` or `echo TEXT >> FILE`, not {words}")
    with open(folder / words[3], "a" if words[2] == ">>" else "w", encoding="utf-8", newline="\n") as f:
        f.write(words[1] + "\n")


def cli_session(arg: str) -> str:
    expect, rest = _expected_exit(arg)
    lines = [line.rstrip() for line in rest.strip("\n").splitlines() if line.strip()]
    outputs: list[tuple[str, str]] = []  # each resilient-sc command (without its comment) and what it printed
    for i, line in enumerate(lines):
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "echo":
            _echo(words, _current_page().workdir)
        elif words[0] == "resilient-sc":
            outputs.append((shlex.join(words), run_cli(words[1:], expect if i == len(lines) - 1 else 0)))
        else:
            raise ValueError(f"docs: cli-session runs resilient-sc and echo lines only, not {line!r}")
    if not outputs or not lines[-1].startswith("resilient-sc"):
        raise ValueError(f"docs: a cli-session ends with the resilient-sc command it shows:\n{rest}")
    shown = "\n".join(lines)
    # several commands: each one's output under it ("$ command"), not only the last one's
    said = (outputs[0][1] if len(outputs) == 1 else
            "\n".join(f"$ {command}\n{output}" if output else f"$ {command}" for command, output in outputs))
    return f"```bash\n{shown}\n```\n\n```text\n{said}\n```"


PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_output(arg: str = "") -> str:
    page = _current_page()
    blocks = PYTHON_BLOCK.findall(page.before)
    if not blocks:
        raise ValueError("docs: python-output needs a ```python block above it")
    out = io.StringIO()
    with _in(page.workdir), contextlib.redirect_stdout(out):
        exec(compile(blocks[-1], "<docs python block>", "exec"), page.namespace)
    if not out.getvalue().strip():
        raise ValueError(f"docs: the python block above a python-output block printed nothing:\n{blocks[-1]}")
    return f"```text\n{_tidy(out.getvalue())}\n```"


def file_block(arg: str) -> str:
    path = ROOT / arg.strip()
    language = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "text", ".py": "python"}
    return f"```{language.get(path.suffix, 'text')}\n{path.read_text(encoding='utf-8').rstrip()}\n```"


GENERATORS: dict[str, Callable[[str], str]] = {
    "schema-tables": schema_tables,
    "formulation": formulation,
    "policy-fields": policy_fields,
    "policy-messages": policy_messages,
    "cli-reference": cli_reference,
    "benchmark-results": benchmark_results,
    "cli-output": cli_output,
    "cli-session": cli_session,
    "python-output": python_output,
    "file": file_block,
}


# ---- rendering ----------------------------------------------------------------------------
def render(markdown: str) -> str:
    """``markdown`` with every generated block filled in afresh, in page order."""
    global _page

    def fill(m: re.Match[str]) -> str:
        page.before = markdown[:m.start()]
        body = GENERATORS[m["name"]](m["arg"]).rstrip("\n")
        return f"{m.group(1)}{body}\n{m.group(5)}"

    page = _page = Page()
    try:
        return BLOCK.sub(fill, markdown)
    finally:
        _page = None
        page.close()


def check_policy_page(markdown: str) -> None:
    """Every Policy field has its own section on the Policies page."""
    from resilient_sc import Policy

    missing = [f for f in Policy.field_names() if f"### `{f}`" not in markdown]
    if missing:
        raise ValueError(f"docs/policies.md has no section for policy fields: {', '.join(missing)}")


def on_pre_build(config: Any) -> None:
    """mkdocs hook: every build runs the commands afresh (``mkdocs serve`` rebuilds after edits)."""
    _cli_cache.clear()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs hook: fill the generated blocks of each page."""
    if page.file.src_uri == "policies.md":
        check_policy_page(markdown)
    return render(markdown)


ROLE = re.compile(r":(?:func|meth|class|data|attr|mod|exc|obj):(<code>)(?:~[\w.]*\.)?")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs hook: Sphinx roles in the library's docstrings (``:class:`~a.b.Plan```) read as
    plain code (``Plan``) on the API page."""
    return ROLE.sub(r"\1", html)


def pages() -> list[Path]:
    """The pages with generated blocks: the docs, and the examples' READMEs (which mkdocs does
    not build: a hand-copied output there drifted from the tool's)."""
    return sorted(DOCS.glob("*.md")) + sorted((ROOT / "examples").glob("*/README.md"))


def main(argv: list[str]) -> int:
    """Rewrite the generated blocks of the committed pages (``--check``: only report stale ones)."""
    stale = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            stale.append(page.name)
            if "--check" not in argv:
                page.write_text(new, encoding="utf-8")
    verb = "stale" if "--check" in argv else "rewrote"
    print(f"{verb}: {', '.join(stale)}" if stale else "all generated blocks are up to date")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
