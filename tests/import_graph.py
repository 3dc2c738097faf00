"""Import cycles among the modules of a package, counting imports inside functions.

Every ``import``/``from ... import`` anywhere in a module (module level, functions, methods,
classes) is an edge, except those under ``if TYPE_CHECKING:``; imports of modules outside the
package (third-party, optional or not) are ignored. ``from .a import b`` is an edge to ``a`` and,
when ``a.b`` is a module, to ``a.b``; importing ``a.b.c`` also runs the intermediate package
``a/__init__`` (an edge to it) unless ``a`` contains the importing module (a module's own packages
are loaded before it), and never the root package's ``__init__``, which is always loaded first.
Prints every strongly connected component with more than one module, and the function-level
imports of package modules; tests/test_layers.py asserts there is none.

    python tests/import_graph.py resilient_sc
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def modules(root: Path) -> dict[str, Path]:
    pkg = root.name
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    assert pkg in out
    return out


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(tree: ast.AST) -> list[tuple[ast.stmt, bool]]:
    """(import node, inside a function) pairs, TYPE_CHECKING blocks left out."""
    found: list[tuple[ast.stmt, bool]] = []

    def visit(node: ast.AST, in_func: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child.test):
                for sub in child.orelse:
                    visit_stmt(sub, in_func)
                continue
            visit_stmt(child, in_func)

    def visit_stmt(child: ast.AST, in_func: bool) -> None:
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append((child, in_func))
        visit(child, in_func or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def targets(mod: str, is_pkg: bool, node: ast.stmt, known: dict[str, Path]) -> set[str]:
    """Package modules that running ``node`` in module ``mod`` imports."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = mod.split(".") if is_pkg else mod.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [prefix] + [f"{prefix}.{a.name}" for a in node.names]
    root = next(iter(known)).split(".")[0]
    out = set()
    for name in names:
        if name in known:
            parts = name.split(".")
            # the module and the intermediate packages its import runs (not the root package)
            for k in range(2, len(parts) + 1):
                out.add(".".join(parts[:k]))
    out.discard(root)
    parts = mod.split(".")
    own = {".".join(parts[:k]) for k in range(1, len(parts) + (1 if is_pkg else 0))}
    return out - own


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def main(root: Path) -> int:
    known = modules(root)
    graph: dict[str, set[str]] = {m: set() for m in known}
    local: list[str] = []
    for mod, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, in_func in imports(tree):
            tg = targets(mod, path.name == "__init__.py", node, known) - {mod}
            graph[mod] |= tg
            if in_func and tg:
                local.append(f"  {path.relative_to(root.parent)}:{node.lineno} -> {', '.join(sorted(tg))}")
    comps = [c for c in sccs(graph) if len(c) > 1]
    print(f"{len(known)} modules, {sum(map(len, graph.values()))} import edges "
          f"(TYPE_CHECKING left out; function-level imports counted: {len(local)})")
    for line in local:
        print(line)
    if not comps:
        print("import cycles: none")
    for c in comps:
        print(f"import cycle ({len(c)} modules): {', '.join(c)}")
    return 1 if comps else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resilient_sc").resolve()))
