"""The numbers the README and the docs quote agree with the code, and the README's example runs.

The docs pages produce their results when they are built (``docs/gen_pages.py``: command
output, python output, generated tables); the README, which mkdocs does not build, is checked
here: the size of the bundled network, the infeasibility message, the published optima (also
quoted on docs/benchmarks.md), and that its Python example runs as a script under the spawn
start method of macOS and Windows. The pages generated from the code (docs/data.md, the
policy fields of docs/policies.md) are up to date, and the site builds with ``mkdocs --strict``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from resilient_sc import InfeasiblePolicyError, Policy, examples, solve
from resilient_sc.schema import TABLES

from .published import CAPB_8000, HOLMBERG_P1, PUBLISHED

ROOT = Path(__file__).resolve().parents[1]


def _text(page: str) -> str:
    """A page with its line breaks and indentation flattened to single spaces."""
    return " ".join((ROOT / page).read_text(encoding="utf-8").split())


def readme_python() -> str:
    """The README's one Python code block."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "the README should have exactly one python block"
    return blocks[0]


def test_readme_network_size() -> None:
    m = re.search(r"electronics network \((\d+) countries, (\d+) suppliers, (\d+) hubs, (\d+) markets, "
                  r"(\d+) products\)", _text("README.md"))
    assert m is not None, "README: the size of the bundled network is no longer quoted as expected"
    net = examples.electronics()
    assert tuple(int(n) for n in m.groups()) == (len(net.countries), len(net.suppliers), len(net.hubs),
                                                 len(net.markets), len(net.products))


def test_readme_infeasibility_message() -> None:
    m = re.search(r"`Policy\(excluded_countries=\(([^)]*)\)\)` gives, among others, `([^`]+)`",
                  _text("README.md"))
    assert m is not None, "README: the infeasibility example is no longer quoted as expected"
    countries = tuple(re.findall(r'"(\w+)"', m[1]))
    with pytest.raises(InfeasiblePolicyError) as info:
        solve(examples.electronics(), Policy(excluded_countries=countries))
    assert m[2] in info.value.reasons


@pytest.mark.parametrize("page", ["README.md", "docs/benchmarks.md"])
def test_quoted_optima(page: str) -> None:
    """The published optima quoted are the ones the benchmark tests assert (tests/published.py)."""
    found = re.findall(r"\b(cap41|cap71|capb(?:@| at capacity )8000|p1) = ([\d.]+)", _text(page))
    quoted = {re.sub(r"(@| at capacity )", "@", name): float(value) for name, value in found}
    assert quoted == {"cap41": PUBLISHED["cap41"], "cap71": PUBLISHED["cap71"],
                      "capb@8000": CAPB_8000, "p1": HOLMBERG_P1}


def test_readme_example_runs_as_a_script_under_spawn(tmp_path: Path) -> None:
    """The README's Python block, saved as a script and run under the spawn start method (the
    default on macOS and Windows), in a folder laid out like the checkout (a copy of
    ``examples/electronics``, so that ``plan.save("out/")`` writes into the temporary folder)."""
    script = tmp_path / "readme_example.py"
    script.write_text(readme_python(), encoding="utf-8")
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples" / "electronics", work / "examples" / "electronics")
    code = ("import multiprocessing as mp; mp.set_start_method('spawn'); import runpy; "
            f"runpy.run_path({str(script)!r}, run_name='__main__')")
    # the example prints the library's texts ('×'): UTF-8 both ways, whatever the locale's encoding
    done = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True,
                          encoding="utf-8", timeout=600, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "status      optimal" in done.stdout
    assert "n-1" in done.stdout  # the premium table's row
    assert (work / "out" / "plan.json").is_file()
    assert "HiGHS" not in done.stdout + done.stderr, "a solve printed the HiGHS banner or log"


# ---- the generated blocks of the docs -----------------------------------------------------------
def _gen_pages():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_pages", ROOT / "docs" / "gen_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_blocks_run_commands_and_code() -> None:
    gen = _gen_pages()
    page = """Intro.

<!-- gen:cli-session
resilient-sc init mynet             # a comment is shown, not run
echo "S_Lyon,FR,8000,,45.76,4.84,,," >> mynet/suppliers.csv
resilient-sc validate mynet
-->
stale output
<!-- /gen:cli-session -->

<!-- gen:cli-output exit=2 validate no/such/folder -->
<!-- /gen:cli-output -->

```python
import time
print(f"{len(list(open('mynet/suppliers.csv')))} lines, took {time.perf_counter() % 1 + 1:.3f} s")
```

<!-- gen:python-output -->
<!-- /gen:python-output -->

<!-- gen:file examples/electronics/policy.yaml -->
<!-- /gen:file -->
"""
    out = gen.render(page)
    assert "stale output" not in out
    assert "# a comment is shown, not run" in out  # the commands as written ...
    assert "valid: Network(2 suppliers, 1 hub, " in out  # ... and what the last one printed
    assert "(no/such/folder) | no such file or folder" in out
    assert "3 lines, took … s" in out  # the page's blocks share a folder; durations are masked
    assert (ROOT / "examples" / "electronics" / "policy.yaml").read_text(encoding="utf-8").strip() in out
    assert gen.render(out) == out  # the filled page renders to itself
    with pytest.raises(RuntimeError, match="exited with 2, expected 0"):
        gen.render("<!-- gen:cli-output validate no/such/folder -->\n<!-- /gen:cli-output -->\n")


def test_section_links() -> None:
    gen = _gen_pages()
    assert gen.section_link("8.5") == "[§8.5](conventions.md#8.5)"
    assert gen.section_link("5b", "formulation.md") == "[§5b](#5b)"
    assert gen.section_link("1") == "[§1](data.md#1)"


@pytest.mark.slow
def test_committed_pages_are_up_to_date() -> None:
    """The generated blocks as committed are what the code produces now (python docs/gen_pages.py)."""
    gen = _gen_pages()
    stale = [str(page.relative_to(ROOT)) for page in gen.pages()
             if gen.render(page.read_text(encoding="utf-8")) != page.read_text(encoding="utf-8")]
    assert not stale, f"run: python docs/gen_pages.py (stale: {', '.join(stale)})"

# ---- the generated pages and the site -----------------------------------------------------------
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
