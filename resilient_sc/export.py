"""The model as an ``.lp`` or ``.mps`` file, written by HiGHS with readable names.

Columns and rows are named after their family and index (``hub_opened(H1)``,
``demand(Paris,default)``), so the file can be read, diffed, or solved by any other solver.

>>> import tempfile, pathlib
>>> from resilient_sc import examples
>>> path = write_model(examples.tiny(), None, pathlib.Path(tempfile.mkdtemp()) / "tiny.lp")
>>> "demand(Paris,default)" in path.read_text()
True
"""

from __future__ import annotations

import errno
from pathlib import Path

import highspy

from . import io
from .data import Network
from .exceptions import RunWarning, ValidationError, warn
from .model.build import NetworkModel
from .model.roadmap import RoadmapModel, build_any
from .policy import Policy
from .solvers.base import SolveOptions
from .solvers.highs import make_highs

#: the file formats HiGHS writes, by suffix
FORMATS = (".lp", ".mps")


def write_model(network: Network, policy: Policy | None, path: str | Path,
                strong_links: bool = True) -> Path:
    """Build the model of ``network`` under ``policy`` (its roadmap when it has a ``periods``
    table) and write it to ``path`` (.lp or .mps)."""
    _check_suffix(Path(path))
    return write_network_model(build_any(network, policy, strong_links=strong_links), path)


def write_network_model(model: NetworkModel | RoadmapModel, path: str | Path) -> Path:
    """Write a built (possibly extended) model to ``path``; the format follows the suffix.

    The file appears atomically (:func:`resilient_sc.io.atomic_path`): HiGHS writes a
    temporary file beside it, with the suffix it picks the format from.
    """
    path = Path(path)
    _check_suffix(path)
    h = make_highs(model.lm, SolveOptions(), names=True)
    with io.atomic_path(path, suffix=path.suffix.lower()) as tmp:
        status = h.writeModel(str(tmp))
        if status == highspy.HighsStatus.kError:
            raise OSError(f"HiGHS could not write {path}")
        if not _whole(tmp):  # HiGHS does not report a failed write (a full disk): the file says
            raise OSError(errno.EIO, f"the model file was cut short (a full disk?): {path} is left as it was",
                          str(path))
        if status == highspy.HighsStatus.kWarning:
            warn(f"{path.name}: HiGHS replaced the readable names by c0.., r0.. (some "
                 "ids collide once made valid for LP files)",
                 RunWarning)
    return path


#: the last line HiGHS writes, by suffix
LAST_LINE = {".lp": b"end", ".mps": b"ENDATA"}


def _whole(path: Path) -> bool:
    """Whether the model file HiGHS wrote at ``path`` ends with its format's last line."""
    with open(path, "rb") as f:
        f.seek(max(0, f.seek(0, 2) - 64))
        return f.read().rstrip().endswith(b"\n" + LAST_LINE[path.suffix.lower()])  # a line, not an id's end


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ValidationError([f"({path.name}) | model files end in {' or '.join(FORMATS)}"])
