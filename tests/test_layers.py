"""The package's layering: no import cycle (imports inside functions count) and no module over
700 lines."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from .import_graph import imports, modules, sccs, targets

PACKAGE = Path(__file__).resolve().parents[1] / "resilient_sc"
MAX_LINES = 700


def test_no_import_cycle():
    known = modules(PACKAGE)
    graph: dict[str, set[str]] = {m: set() for m in known}
    for mod, path in known.items():
        for node, _ in imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            graph[mod] |= targets(mod, path.name == "__init__.py", node, known) - {mod}
    assert [c for c in sccs(graph) if len(c) > 1] == []
    assert graph["resilient_sc.model.build"].isdisjoint({"resilient_sc.optimize", "resilient_sc.explain"})


def test_no_module_over_700_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_command_line_parser_imports_no_solver_nor_pandas():
    """``resilient-sc --help`` and argument errors answer in about 0.2 s: the CLI's modules import
    HiGHS, scipy, pandas and numpy only in the commands that run (0.9 s before, with them at the
    top; 0.3 s with numpy)."""
    code = ("import sys, resilient_sc.cli as c; c.build_parser(); print(sorted(m for m in "
            "('numpy', 'pandas', 'scipy', 'highspy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_outcome_is_printed_without_numpy_nor_pandas():
    """The command prints its outcome (an 'interrupted' one at a signal during the imports, an
    'out of memory' one) with the standard library only: printing --json imported pandas, and a
    SIGTERM 0.15 s into a run, or no memory left, gave a traceback and no JSON (audit)."""
    code = ("import sys, resilient_sc.cli as c; from resilient_sc.cli_outcome import Outcome; "
            "from resilient_sc.stopping import interrupted; n, data = interrupted(15); "
            "err, out = c._render(Outcome(n, data, error=data['reason']), True); "
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules), out.count('SIGTERM'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] 2"


def test_the_deadline_prints_its_outcome_while_numpy_is_half_imported():
    """The console's deadline (a stop signal the work did not answer within the grace) prints the
    interrupted outcome and ends the process also while the main thread is inside an import of
    numpy: it raised AttributeError in its thread holding the printing lock, and the command hung
    (review)."""
    code = ("import sys, types; import resilient_sc.cli as c; "
            "from resilient_sc.solvers.stops import stop_request; stop_request.ask(15); c.STOP_GRACE = 0; "
            "sys.modules.update(numpy=types.ModuleType('numpy'), pandas=types.ModuleType('pandas')); "
            "c._Deadline(True)(15); print('not ended')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 143 and "not ended" not in run.stdout, (run.returncode, run.stderr[-500:])
    assert json.loads(run.stdout)["signal"] == "SIGTERM"
