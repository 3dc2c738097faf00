"""A result written as a folder (a plan, a roadmap, a report): never over, inside or around the
data it was solved from, whole or not at all (:func:`.io.atomic_folder`), its seconds in a file of
their own so that two runs of the same inputs write the rest byte for byte the same."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import io, output_paths
from .exceptions import ValidationError, check_path, check_switch


def check_result_folder(folder: str | Path, data: str, force: bool) -> None:
    """Refuse, as one ValidationError, to write a result (plan, roadmap, report) as ``folder`` when
    that would replace, sit inside or hold the ``data`` it was solved from (the absolute path
    :attr:`Network.location <resilient_sc.data.Network.location>`; ``force`` replaced a data
    folder of CSV tables with the plan's), or when :func:`.io.folder_problem` refuses it."""
    check_switch("force", force, "replace a result folder")  # force="no" replaced the folder
    inputs = {"data it was solved from": Path(data) if data else None}
    problem = output_paths.output_problem(folder, inputs, True, force, "force=True")
    if problem is not None:
        raise ValidationError([f"(folder) | {problem}"], "with the output folder")


def written_by() -> str:
    """Which library wrote a result, as its files say it (``written_by`` in its JSON record, a line
    of its README): 'resilient_sc 0.1.0' (none said it: a reader of an older result could not
    tell it apart: upgrade audit)."""
    from . import __version__

    return f"resilient_sc {__version__}"


def save_result(folder: str | Path, tables: Mapping[str, pd.DataFrame], record: str,
                data: Mapping[str, Any], location: str, force: bool, readme: str = "") -> Path:
    """Write a result (a plan, a roadmap) as the folder ``folder``: a CSV per table, the JSON
    file ``record`` of ``data`` and ``README.md`` (``readme``: what each file holds, in what
    units), atomically as a whole (:func:`.io.atomic_folder`), never over, inside or around the data
    at ``location`` it was solved from (:func:`check_result_folder`)."""
    check_path("folder", folder, "a folder to write to")
    check_result_folder(folder, location, force)
    data, seconds = split_timings({"written_by": written_by(), **data})
    with io.atomic_folder(folder, force) as tmp:
        for name, df in tables.items():
            io.write_csv(tmp / f"{name}.csv", df)
        io.write_json(tmp / record, data)
        io.write_csv(tmp / TIMINGS, seconds)
        if readme:
            io.write_text(tmp / "README.md", readme)
    return Path(folder)


#: the file of a result folder holding the seconds its solves took: all that differs between two
#: runs of the same inputs and options (the rest is written byte for byte the same)
TIMINGS = "timings.csv"
#: the columns of seconds a result table may have (a premium table's solves, a frontier's points)
TIMED_COLUMNS = ("time", "solve_time")


def split_timings(data: Mapping[str, Any], path: str = "") -> tuple[dict[str, Any], pd.DataFrame]:
    """(``data`` without its seconds, those seconds as a table ``step, seconds``): every key
    ending in ``_time``, at any depth, named by its path (``report.solve_time``)."""
    kept: dict[str, Any] = {}
    rows: list[tuple[str, float]] = []
    for key, value in data.items():
        name = f"{path}{key}"
        if isinstance(value, Mapping):
            kept[key], inner = split_timings(value, f"{name}.")
            rows += list(inner.itertuples(index=False, name=None))
        elif str(key).endswith("_time") and isinstance(value, (int, float)):
            rows.append((name, float(value)))
        else:
            kept[key] = value
    return kept, pd.DataFrame(rows, columns=["step", "seconds"])
