"""The certificate every route's answer passes: the column vector satisfies every bound, row and
integrality of the model as built, at HiGHS's tolerances scaled by each row's largest
coefficient."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from ..model.linear import LinearModel

#: primal feasibility and integrality tolerance (as HiGHS's)
TOLERANCE = 1e-6


def row_scale(a: sp.spmatrix) -> np.ndarray:
    """Largest |coefficient| of each row, at least 1: violations are measured relative to it."""
    return np.maximum(1.0, abs(a).max(axis=1).toarray().ravel()) if a.shape[0] else np.ones(0)


def is_feasible(lm: LinearModel, x: np.ndarray, tol: float = TOLERANCE) -> bool:
    """``x`` satisfies every bound, row and integrality of ``lm`` (rows scaled by
    :func:`row_scale`; bounds and integrality absolute), each within ``tol``."""
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    a = lm.matrix()
    scale = row_scale(a)
    ax = a @ x
    rows = np.maximum(ax - row_up, row_lo - ax) / scale
    cols = np.maximum(x - col_up, col_lo - x)
    frac = np.abs(x[integer] - np.round(x[integer]))
    return bool(rows.max(initial=0.0) <= tol and cols.max(initial=0.0) <= tol
                and frac.max(initial=0.0) <= tol)
