"""Generated parts of the docs, so that they cannot drift from the code.

A page marks a generated block as ``<!-- gen:NAME ARG -->`` ... ``<!-- /gen:NAME -->``:

* ``schema-tables``: every table and column of :data:`resilient_sc.schema.TABLES`;
* ``formulation``: the docstring (formula and MODEL.md section) of every constraint family
  of :data:`resilient_sc.model.build.FAMILIES`, in build order;
* ``policy-fields``: every :class:`~resilient_sc.Policy` field with its type and default;
* ``policy-messages FIELD``: the real messages of the library for an infeasible or invalid
  ``FIELD``, produced by solving small networks;
* ``cli-reference``: ``resilient-sc COMMAND --help`` for every subcommand;
* ``benchmark-results``: ``benchmarks/results/*.md`` when present, else how to produce them.

``mkdocs build`` regenerates the blocks through :func:`on_page_markdown` (this file is the
``hooks:`` entry of mkdocs.yml); ``python docs/gen_pages.py`` rewrites them in the committed
pages, so that the pages read the same on GitHub.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import io
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BLOCK = re.compile(r"(<!-- gen:(?P<name>[\w-]+)(?P<arg>[^>]*?) -->\n)(?P<body>.*?)(<!-- /gen:(?P=name) -->)",
                   re.DOTALL)


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


def formulation(arg: str = "") -> str:
    from resilient_sc.model.build import FAMILIES

    out = []
    for family in FAMILIES:
        module = family.__module__.removeprefix("resilient_sc.")
        out += [f"### `{family.__name__}`", "", f"*{module}*", "", _markdown_text(family.__doc__ or ""), ""]
    return "\n".join(out)


def policy_fields(arg: str = "") -> str:
    from resilient_sc import Policy

    share = "float | Mapping[str, float] | None"
    hints = {f.name: str(f.type).replace("Share", share).replace(" | ", " or ")
             for f in dataclasses.fields(Policy)}
    rows = ["| field | type | default |", "|---|---|---|"]
    for f in dataclasses.fields(Policy):
        default = f.default if f.default is not dataclasses.MISSING else ""
        rows.append(f"| [`{f.name}`](#{f.name}) | `{hints[f.name]}` | `{default!r}` |")
    return "\n".join(rows)


def _tiny_variant(**edit: Callable[[pd.DataFrame], Any]) -> Any:
    """The tiny example (S_FR, S_CN -> H1 -> Paris, 80 units) with some tables edited."""
    from resilient_sc import Network, examples

    frames = examples.tiny().frames()
    for name, fn in edit.items():
        fn(frames[name])
    return Network.from_frames(source="tiny", **{k: v for k, v in frames.items() if len(v)})


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
        source="two-hub",
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


@functools.cache
def _messages() -> dict[str, list[tuple[str, str]]]:
    """field -> [(what was asked, the library's message)], from real solves."""
    from resilient_sc import Policy, ValidationError, solve
    from resilient_sc.exceptions import InfeasiblePolicyError

    small = _tiny_variant(supplier_products=_set("capacity", [30.0, 100.0]))  # S_FR makes 30
    co2 = _tiny_variant(supplier_products=_set("co2", [1.0, 3.0]))
    open_fr = _tiny_variant(suppliers=_set("status", ["open", "candidate"]))
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
                            (_two_hubs(False), Policy(single_sourcing=True))],
        "min_hubs": [(small, Policy(min_hubs=2))],
        "max_hubs": [(small, Policy(max_hubs=0))],
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


GENERATORS: dict[str, Callable[[str], str]] = {
    "schema-tables": schema_tables,
    "formulation": formulation,
    "policy-fields": policy_fields,
    "policy-messages": policy_messages,
    "cli-reference": cli_reference,
    "benchmark-results": benchmark_results,
}


# ---- rendering ----------------------------------------------------------------------------
def render(markdown: str) -> str:
    """``markdown`` with every generated block filled in afresh."""

    def fill(m: re.Match[str]) -> str:
        body = GENERATORS[m["name"]](m["arg"]).rstrip("\n")
        return f"{m.group(1)}{body}\n{m.group(5)}"

    return BLOCK.sub(fill, markdown)


def check_policy_page(markdown: str) -> None:
    """Every Policy field has its own section on the Policies page."""
    from resilient_sc import Policy

    missing = [f for f in Policy.field_names() if f"### `{f}`" not in markdown]
    if missing:
        raise ValueError(f"docs/policies.md has no section for policy fields: {', '.join(missing)}")


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


def main(argv: list[str]) -> int:
    """Rewrite the generated blocks of the committed pages (``--check``: only report stale ones)."""
    stale = []
    for page in sorted(DOCS.glob("*.md")):
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
