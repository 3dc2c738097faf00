"""JSON as results and the command line write it, in the standard library only: the command line
prints its outcome without loading numpy or pandas (an outcome printed while they were still being
imported, at a signal, or with no memory left to load them, was a traceback and no JSON: audit).
A numpy or pandas value can only come from those modules once they are loaded."""

from __future__ import annotations

import enum
import json
import math
import sys
from collections.abc import Mapping
from typing import Any

from .format import output_float


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON types: enums by value, numpy scalars as numbers (floats to
    :data:`~.format.OUTPUT_DIGITS` significant digits), tuples and sets as lists, non-finite numbers as
    None, anything else as its text.

    >>> to_plain({"objective": 12228393.049999999, "gap": -0.0, "n": 3, "x": float("nan")})
    {'objective': 12228393.05, 'gap': 0.0, 'n': 3, 'x': None}
    """
    if isinstance(value, enum.Enum):  # a Status is a str too: its value, not the member
        value = value.value
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):  # as the CSVs write it: 12228393.05, not 12228393.049999999
        return output_float(value) if math.isfinite(value) else None
    # numpy and pandas as loaded so far: another thread may still be importing them (a signal's
    # outcome printed meanwhile found no np.floating yet: review)
    floating = getattr(sys.modules.get("numpy"), "floating", ())
    missing = getattr(sys.modules.get("pandas"), "NA", None)
    if isinstance(value, Mapping):
        return {str(k): to_plain(x) for k, x in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_plain(x) for x in value]
    if missing is not None and value is missing:
        return None
    if isinstance(value, floating):
        value = output_float(value)  # by its own digits: a float32's .item() has a double's
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and not isinstance(value, bytes):
        return to_plain(value.item())
    return str(value)


def to_json(data: Mapping[str, Any]) -> str:
    """``data`` as strict, indented JSON (:func:`to_plain`: NaN and infinity become null)."""
    return json.dumps(to_plain(data), indent=2, allow_nan=False)
