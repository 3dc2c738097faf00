r"""One constraint family of a built model as canonical, LP-like text (tests/test_lp_snapshots.py).

:func:`record_families` builds a model with :func:`resilient_sc.model.build.build_model` and
notes which variable blocks, constraint blocks and cost terms each family of ``FAMILIES`` adds;
:func:`family_text` writes what one family added:

* ``Minimize``: the family's cost terms, one line per cost component (a ``\`` comment names it);
* ``Subject To``: one line per row, ``name: coef var + coef var ... <op> rhs`` (a range:
  ``name: lower <= ... <= upper``), rows sorted by name; terms grouped by variable block in the
  order the family's code adds them (the order of its formula), then sorted by column name;
  entries of one column summed, zeros left out, coefficient 1 not written;
* ``Bounds``: ``lower <= name <= upper`` for every column the family creates or touches;
* ``General``: those of them that are integer.

Names are the library's own (``demand(Paris,default)``, the names of ``.lp`` exports);
numbers have 10 significant digits. The text does not depend on how columns and rows are
numbered. Lines starting with ``\`` are comments.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from unittest import mock

import numpy as np

from resilient_sc import Network, Policy
from resilient_sc.model import build
from resilient_sc.model.build import NetworkModel, build_model


@dataclass
class Added:
    """What one family added to the model: block names and, per cost component, the parts."""

    variables: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    costs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.variables or self.constraints or self.costs)


def record_families(network: Network, policy: Policy) -> tuple[NetworkModel, dict[str, Added]]:
    """``build_model(network, policy)``, with what each family added, by family function name."""
    added: dict[str, Added] = {}

    def recording(family: Callable) -> Callable:
        def run(ctx) -> None:
            lm = ctx.lm
            variables, constraints = set(lm.variables), set(lm.constraints)
            parts = {name: len(p) for name, p in lm.costs.items()}
            family(ctx)
            added[family.__name__] = Added(
                [n for n in lm.variables if n not in variables],
                [n for n in lm.constraints if n not in constraints],
                {name: p[parts.get(name, 0):] for name, p in lm.costs.items()
                 if len(p) > parts.get(name, 0)})
        return run

    with mock.patch.object(build, "FAMILIES", tuple(recording(f) for f in build.FAMILIES)):
        model = build_model(network, policy)
    missing = {f.__name__ for f in build.FAMILIES} - set(added)
    assert not missing, f"build_model no longer runs model.build.FAMILIES (not seen: {sorted(missing)})"
    return model, added


def number(value: float) -> str:
    """10 significant digits; infinities as ``+inf``/``-inf``."""
    if np.isinf(value):
        return "+inf" if value > 0 else "-inf"
    text = f"{float(value):.10g}"
    return "0" if text == "-0" else text


def expression(terms: dict[str, float], order: dict[str, int] | None = None) -> str:
    """``a - 2 b + 0.5 c``: coefficient 1 left out, zeros dropped; terms sorted by ``order[name]``
    (the rank of the variable's block), then by name."""
    order = order or {}
    out = []
    for name in sorted(terms, key=lambda n: (order.get(n, 0), n)):
        coef = terms[name]
        if coef == 0:
            continue
        sign = "-" if coef < 0 else "+"
        size = "" if abs(coef) == 1 else number(abs(coef)) + " "
        out.append(f"{sign} {size}{name}")
    if not out:
        return "0"
    first = out[0]
    return " ".join([first[2:] if first.startswith("+") else "-" + first[2:], *out[1:]])


def block_ranks(model: NetworkModel, columns: list[np.ndarray]) -> dict[str, int]:
    """Column name -> rank of its variable block in order of first appearance in ``columns``
    (the order of a family's terms in its code, which follows its formula)."""
    blocks = list(model.lm.variables.values())
    starts = np.array([b.start for b in blocks])
    names = model.lm.column_names()
    seen: dict[int, int] = {}
    for cols in columns:
        for b in np.searchsorted(starts, cols, side="right") - 1:
            seen.setdefault(int(b), len(seen))
    return {names[c]: seen[int(np.searchsorted(starts, c, side="right") - 1)]
            for cols in columns for c in cols.tolist()}


def row(name: str, terms: dict[str, float], lower: float, upper: float,
        order: dict[str, int] | None = None) -> str:
    """``name: expression <op> rhs``, or ``name: lower <= expression <= upper`` for a range."""
    expr = expression(terms, order)
    if lower == upper:
        return f"{name}: {expr} = {number(upper)}"
    if np.isinf(lower):
        return f"{name}: {expr} <= {number(upper)}"
    if np.isinf(upper):
        return f"{name}: {expr} >= {number(lower)}"
    return f"{name}: {number(lower)} <= {expr} <= {number(upper)}"


def family_text(model: NetworkModel, added: Added, header: list[str]) -> str:
    """The canonical text of what one family added (``header``: comment lines at the top)."""
    lm = model.lm
    names = lm.column_names()
    touched: set[int] = set()
    for block in added.variables:
        touched.update(lm.variables[block].columns.tolist())

    objective = []
    for component, parts in added.costs.items():
        terms: dict[str, float] = {}
        for cols, coef in parts:
            for c, v in zip(cols.tolist(), coef.tolist(), strict=True):
                terms[names[c]] = terms.get(names[c], 0.0) + v
                touched.add(c)
        order = block_ranks(model, [cols for cols, _ in parts])
        objective += [f" \\ {component}", f" + {expression(terms, order)}"]

    rows = []
    all_rows = lm.row_names()
    for block_name in added.constraints:
        block = lm.constraints[block_name]
        row_names = all_rows[block.start:block.start + block.size]
        order = block_ranks(model, [block.cols])
        terms_of: list[dict[str, float]] = [{} for _ in range(block.size)]
        for r, c, v in zip(block.rows.tolist(), block.cols.tolist(), block.vals.tolist(), strict=True):
            terms_of[r][names[c]] = terms_of[r].get(names[c], 0.0) + v
            if v != 0:
                touched.add(c)
        for i, name in enumerate(row_names):
            rows.append(" " + row(name, terms_of[i], block.lower[i], block.upper[i], order))

    lower, upper, _, _, integer = lm.bounds()
    bounds = sorted((names[c], c) for c in touched)
    lines = [f"\\ {line}".rstrip() for line in header]
    lines += ["Minimize", " obj:", *objective, "Subject To", *sorted(rows), "Bounds"]
    lines += [f" {number(lower[c])} <= {name} <= {number(upper[c])}" for name, c in bounds]
    lines += ["General", *(f" {name}" for name, c in bounds if integer[c]), "End"]
    return "\n".join(lines) + "\n"


def docstring(function: Callable) -> list[str]:
    """The docstring of ``function``, dedented, as lines."""
    return (inspect.getdoc(function) or "").splitlines()
