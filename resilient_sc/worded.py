"""How the words of the output files read: the command line names its flags where the library's
advice names a Python option and its flag (``raise SolveOptions.time_limit (CLI: --time-limit)``),
in the files it writes as in what it prints; the library's own writes keep both."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pandas as pd

#: how the words of the output files read while set (:func:`files_worded`): the command line
#: names its flags where the library's advice names a Python option and its flag; unset, as given
OUTPUT_WORDS: ContextVar[Callable[[str], str] | None] = ContextVar("OUTPUT_WORDS", default=None)


@contextmanager
def files_worded(words: Callable[[str], str]) -> Iterator[None]:
    """Within the block, the text of every output file (report, CSV, workbook, JSON) is written
    through ``words``."""
    token = OUTPUT_WORDS.set(words)
    try:
        yield
    finally:
        OUTPUT_WORDS.reset(token)


def worded(value: Any) -> Any:
    """``value`` (text, a frame's text columns, or JSON data at any depth) in :data:`OUTPUT_WORDS`."""
    words = OUTPUT_WORDS.get()
    if words is None:
        return value
    if isinstance(value, str):
        return words(value)
    if isinstance(value, pd.DataFrame):
        advice = {}  # by position (a name may be given twice): the few cells with advice (every cell
        for i, t in enumerate(value.dtypes):  # through words took 2.5 s on a table of 400k rows)
            if pd.api.types.is_string_dtype(t):
                said = value.iloc[:, i].str.contains("(CLI:", regex=False, na=False).to_numpy(bool)
                if said.any():
                    advice[i] = said
        if advice:
            value = value.copy()
            for i, said in advice.items():
                column = value.iloc[:, i]
                value.isetitem(i, column.mask(said, column[said].map(words)))
        return value
    if isinstance(value, Mapping):
        return {k: worded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [worded(v) for v in value]
    return value
