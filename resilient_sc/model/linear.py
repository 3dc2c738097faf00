"""A solver-neutral linear model made of named, labelled blocks of variables and constraints.

Every constraint family appends whole blocks (vectorised COO triplets), so the same
build feeds HiGHS in one ``passModel`` call and the pyomo model, and every column and
row can be read back as ``family(index)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .table import Table

INF = np.inf
#: row and column numbers in constraint blocks: 32 bits, as HiGHS takes them (half the memory)
INDEX = np.int32
#: the labels of a block's rows or columns: a DataFrame, or a Table spelled out on first use
Labels: TypeAlias = pd.DataFrame | Table


def _own(labels: Labels) -> Labels:
    """Labels a block can keep: a Table (immutable) or the DataFrame renumbered 0..n-1."""
    return labels if isinstance(labels, Table) else labels.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class _Block:
    """A named block whose ``labels`` give one row per member, starting at ``start``."""

    name: str
    labels: Labels
    start: int

    @property
    def size(self) -> int:
        return len(self.labels)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the ``index`` it caches (built again on first use)."""
        return {k: v for k, v in vars(self).items() if k != "index"}

    @cached_property
    def index(self) -> pd.DataFrame:
        """The labels as a DataFrame, one row per member (built on first use)."""
        return self.labels.frame() if isinstance(self.labels, Table) else self.labels


@dataclass(frozen=True, eq=False)
class VarBlock(_Block):
    """Variables ``name[index]``: global columns ``start .. start + size - 1``."""

    lower: np.ndarray
    upper: np.ndarray
    integer: bool

    @property
    def columns(self) -> np.ndarray:
        return np.arange(self.start, self.start + self.size)

    def values(self, x: np.ndarray) -> np.ndarray:
        """This block's part of a solution vector."""
        return x[self.start:self.start + self.size]


@dataclass(frozen=True, eq=False)
class ConBlock(_Block):
    """Constraints ``lower <= A x <= upper`` named ``name[index]``; rows local to the block."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass(eq=False)
class LinearModel:
    """Blocks of variables and constraints plus an objective split into named cost components."""

    variables: dict[str, VarBlock] = field(default_factory=dict)
    constraints: dict[str, ConBlock] = field(default_factory=dict)
    #: component name -> list of (global columns, coefficients)
    costs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0

    @property
    def n_coefficients(self) -> int:
        """The constraint coefficients as added (the matrix's nonzeros, or more where some sum)."""
        return sum(len(b.vals) for b in self.constraints.values())

    def add_variables(self, name: str, index: Labels, lower: float | np.ndarray = 0.0,
                      upper: float | np.ndarray = INF, integer: bool = False) -> VarBlock:
        """Append a block of variables indexed by the rows of ``index``."""
        if name in self.variables:
            raise ValueError(f"variable block {name!r} exists already")
        n = len(index)
        block = VarBlock(name, _own(index), self.n_cols,
                         np.broadcast_to(np.asarray(lower, float), (n,)).copy(),
                         np.broadcast_to(np.asarray(upper, float), (n,)).copy(), integer)
        self.variables[name] = block
        self.n_cols += n
        return block

    def add_constraints(self, name: str, index: Labels,
                        terms: list[tuple[np.ndarray, VarBlock, np.ndarray, np.ndarray | float]],
                        lower: float | np.ndarray = -INF, upper: float | np.ndarray = INF) -> ConBlock:
        """Append rows ``lower <= Σ coef · var <= upper``.

        ``terms`` holds ``(row, block, local column, coefficient)`` arrays: row ``row[k]``
        of this family gets ``coefficient[k]`` times variable ``block[column[k]]``.
        """
        if name in self.constraints:
            raise ValueError(f"constraint block {name!r} exists already")
        n = len(index)
        if max(self.n_cols, self.n_rows + n) >= 2**31:
            raise ValueError("the model is too large: 2^31 columns or rows")
        rows = [np.asarray(r).astype(INDEX, copy=False) for r, _, _, _ in terms]
        cols = [np.asarray(c).astype(INDEX, copy=False) + b.start for _, b, c, _ in terms]
        vals = [np.broadcast_to(np.asarray(v, float), (len(r),)) for r, (_, _, _, v) in
                zip(rows, terms, strict=True)]
        block = ConBlock(
            name, _own(index), self.n_rows,
            np.concatenate(rows) if rows else np.empty(0, INDEX),
            np.concatenate(cols) if cols else np.empty(0, INDEX),
            np.concatenate(vals) if vals else np.empty(0),
            np.broadcast_to(np.asarray(lower, float), (n,)).copy(),
            np.broadcast_to(np.asarray(upper, float), (n,)).copy(),
        )
        self.constraints[name] = block
        self.n_rows += n
        return block

    def add_cost(self, component: str, block: VarBlock, coef: np.ndarray | float,
                 local: np.ndarray | None = None) -> None:
        """Add ``Σ coef · block[local]`` to cost component ``component`` of the objective."""
        cols = block.columns if local is None else block.start + np.asarray(local, np.int64)
        coef = np.broadcast_to(np.asarray(coef, float), cols.shape)
        keep = coef != 0
        self.costs.setdefault(component, []).append((cols[keep], coef[keep].copy()))

    def extensible_copy(self) -> LinearModel:
        """A copy that blocks can be added to without changing this model (the blocks are
        shared: adding never changes one)."""
        return replace(self, variables=dict(self.variables), constraints=dict(self.constraints),
                       costs={name: list(parts) for name, parts in self.costs.items()})

    def fixed(self, values: dict[str, np.ndarray]) -> LinearModel:
        """A copy with the variable blocks named in ``values`` fixed (lower = upper = value), an
        integer block fixed at whole values continuous (so that a model with every integer block
        fixed is an LP: HiGHS's MIP set-up took 110 s before the root LP of a 3.1M-column model
        whose 560 binaries were all fixed); this model is left as it is, and the copy shares
        every other block with it."""
        variables = dict(self.variables)
        for name, value in values.items():
            block = variables[name]
            v = np.broadcast_to(np.asarray(value, float), (block.size,))
            integer = block.integer and not np.array_equal(v, np.round(v))
            variables[name] = replace(block, lower=v.copy(), upper=v.copy(), integer=integer)
        return replace(self, variables=variables)

    def subset(self, columns: np.ndarray, rows: np.ndarray) -> LinearModel:
        """A copy with only the ``columns`` and ``rows`` (bool masks) kept, blocks renumbered; a
        kept row loses its terms in dropped columns (as if they were fixed at 0)."""
        out = LinearModel()
        new_col = np.cumsum(columns) - 1
        for b in self.variables.values():
            keep = columns[b.start:b.start + b.size]
            labels = b.labels.take(np.flatnonzero(keep)) if isinstance(b.labels, Table) else \
                b.labels[keep].reset_index(drop=True)
            out.variables[b.name] = replace(b, labels=labels, start=out.n_cols,
                                            lower=b.lower[keep], upper=b.upper[keep])
            out.n_cols += int(keep.sum())
        for b in self.constraints.values():
            keep = rows[b.start:b.start + b.size]
            new_row = np.cumsum(keep) - 1
            ok = keep[b.rows] & columns[b.cols]
            labels = b.labels.take(np.flatnonzero(keep)) if isinstance(b.labels, Table) else \
                b.labels[keep].reset_index(drop=True)
            out.constraints[b.name] = ConBlock(
                b.name, labels, out.n_rows, new_row[b.rows[ok]].astype(INDEX),
                new_col[b.cols[ok]].astype(INDEX), b.vals[ok], b.lower[keep], b.upper[keep])
            out.n_rows += int(keep.sum())
        for name, parts in self.costs.items():
            out.costs[name] = [(new_col[c[columns[c]]], v[columns[c]]) for c, v in parts]
        return out

    # ---- assembly ---------------------------------------------------------------------
    def objective(self) -> np.ndarray:
        """The cost vector over all columns."""
        c = np.zeros(self.n_cols)
        for parts in self.costs.values():
            for cols, coef in parts:
                np.add.at(c, cols, coef)
        return c

    def not_finite(self) -> list[str]:
        """The blocks holding a NaN (anywhere) or an infinite cost or coefficient: a model HiGHS
        would stall on or solve wrongly. Bounds may be infinite (no bound), never NaN."""
        out = [f"cost {name}" for name, parts in self.costs.items()
               if any(not np.isfinite(coef).all() for _, coef in parts)]
        out += [f"constraint {b.name}" for b in self.constraints.values()
                if not np.isfinite(b.vals).all() or np.isnan(b.lower).any() or np.isnan(b.upper).any()]
        out += [f"variable {b.name}" for b in self.variables.values()
                if np.isnan(b.lower).any() or np.isnan(b.upper).any()]
        return out

    def component_values(self, x: np.ndarray) -> dict[str, float]:
        """Each cost component evaluated at solution ``x``."""
        return {name: float(sum(coef @ x[cols] for cols, coef in parts))
                for name, parts in self.costs.items()}

    def matrix(self, by_column: bool = False) -> sp.csr_matrix | sp.csc_matrix:
        """The constraint matrix, rows in block order (duplicate entries summed); compressed by
        row, or by column (``by_column``: cheaper to build and to hand to HiGHS)."""
        kind = sp.csc_matrix if by_column else sp.csr_matrix
        blocks = list(self.constraints.values())
        if not blocks:
            return kind((self.n_rows, self.n_cols))
        rows = np.concatenate([b.rows + b.start for b in blocks])
        cols = np.concatenate([b.cols for b in blocks])
        vals = np.concatenate([b.vals for b in blocks])
        a = kind((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        a.sum_duplicates()
        return a

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column lower/upper, row lower/upper and the integrality flags."""
        vb = list(self.variables.values())
        cb = list(self.constraints.values())
        cat = lambda arrs: np.concatenate(arrs) if arrs else np.empty(0)  # noqa: E731
        integer = cat([np.full(b.size, b.integer, dtype=bool) for b in vb]).astype(bool)
        return (cat([b.lower for b in vb]), cat([b.upper for b in vb]),
                cat([b.lower for b in cb]), cat([b.upper for b in cb]), integer)

    def column_names(self) -> list[str]:
        """Readable names ``family(i,j,...)`` for every column (for LP/MPS files)."""
        return [n for b in self.variables.values() for n in _labels(b.name, b.index)]

    def row_names(self) -> list[str]:
        return [n for b in self.constraints.values() for n in _labels(b.name, b.index)]


#: in names, an id keeps letters, digits and the characters HiGHS accepts in LP files; the rest
#: (brackets, spaces, quotes, ``-+*/^:<=>|``, non-ASCII, which HiGHS rejects) become ``_``
_NOT_LP = r"[^A-Za-z0-9_.(){}!#$%&;?@~]"


def _labels(name: str, index: pd.DataFrame) -> list[str]:
    """``name(i,j,...)`` per row of ``index``, valid as LP/MPS names (HiGHS rejects brackets)."""
    if index.shape[1] == 0:
        return [name] if len(index) == 1 else [f"{name}({i})" for i in range(len(index))]
    parts = [index[c].astype(str).str.replace(_NOT_LP, "_", regex=True) for c in index.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "," + part
    return (name + "(" + joined + ")").tolist()
