"""Bounds on every input, in one place: file size, rows, columns, cell size, number magnitude,
policy files.

Each limit has a default and an environment variable that raises (or lowers) it, e.g.
``RESILIENT_SC_MAX_FILE_MB=1024 resilient-sc validate big/``; library callers may pass a
:class:`Limits` instead (``read_network(path, limits=Limits(file_mb=1024))``). An input over
a limit is a :class:`~resilient_sc.exceptions.ValidationError` naming the file or table, the
limit and the variable, read no further than the limit.

>>> Limits().file_mb
256.0
>>> Limits().describe("rows")
'5,000,000 rows per table (set RESILIENT_SC_MAX_ROWS to raise it)'
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .exceptions import ValidationError
from .wording import brief, printable

#: the environment variable of each limit
ENV = {
    "file_mb": "RESILIENT_SC_MAX_FILE_MB",
    "rows": "RESILIENT_SC_MAX_ROWS",
    "cell_chars": "RESILIENT_SC_MAX_CELL_CHARS",
    "columns": "RESILIENT_SC_MAX_COLUMNS",
    "magnitude": "RESILIENT_SC_MAX_MAGNITUDE",
    "policy_kb": "RESILIENT_SC_MAX_POLICY_KB",
    "yaml_aliases": "RESILIENT_SC_MAX_YAML_ALIASES",
    "yaml_depth": "RESILIENT_SC_MAX_YAML_DEPTH",
    "yaml_nodes": "RESILIENT_SC_MAX_YAML_NODES",
    "recourse_columns": "RESILIENT_SC_MAX_RECOURSE_COLUMNS",
}

_UNITS = {
    "file_mb": "MB per input file",
    "rows": "rows per table",
    "cell_chars": "characters per cell",
    "columns": "columns per table",
    "magnitude": "for the magnitude of a number",
    "policy_kb": "KB per policy file",
    "yaml_aliases": "aliases (*name) per policy file",
    "yaml_depth": "levels of nesting in a policy file (aliases expanded)",
    "yaml_nodes": "values in a policy file (aliases expanded)",
    "recourse_columns": "recourse columns per model (failure or scenario copies of the network)",
}


#: what :mod:`zipfile` raises for a damaged archive, or one of a zip version it does not read
#: (NotImplementedError: a flipped byte in a workbook's directory ended in a traceback; zlib.error:
#: a part whose compressed bytes are damaged)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
              zlib.error)


@dataclass(frozen=True)
class Limits:
    """Bounds on the inputs; :func:`current` gives the defaults overridden by the environment."""

    file_mb: float = 256.0
    rows: int = 5_000_000
    cell_chars: int = 1_000
    #: a table has at most 11 columns; the rest is room for blank ones (trailing commas)
    columns: int = 1_000
    magnitude: float = 1e15
    policy_kb: float = 1024.0
    yaml_aliases: int = 100
    yaml_depth: int = 20
    yaml_nodes: int = 100_000
    #: ladder L survive supplier 1.0, 18.8M recourse columns, peaks at 5.4 GB (about 290 bytes each)
    recourse_columns: int = 60_000_000

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1024 * 1024)

    @property
    def policy_bytes(self) -> int:
        return int(self.policy_kb * 1024)

    def describe(self, name: str) -> str:
        """``name``'s value, unit and how to raise it, for error messages."""
        value = getattr(self, name)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return f"{shown} {_UNITS[name]} (set {ENV[name]} to raise it)"

    def long_cell(self, chars: int) -> str:
        """What a cell of ``chars`` characters over :attr:`cell_chars` is, in every reader's words.

        >>> Limits(cell_chars=10).long_cell(1601)[:55]
        'holds 1,601 characters, over the limit of 10 characters'
        """
        return f"holds {chars:,} characters, over the limit of {self.describe('cell_chars')}"


def current(limits: Limits | None = None) -> Limits:
    """``limits``, or the defaults with each limit overridden by its environment variable."""
    if isinstance(limits, Limits):
        return limits
    if limits is not None:  # 'int' object has no attribute 'file_bytes', deep in a reader
        raise ValidationError([f"(limits) | {brief(limits, 40)} ({type(limits).__name__}) is not a "
                               "Limits: give resilient_sc.limits.Limits(...) or None for the defaults"])
    changes: dict[str, float | int] = {}
    problems: list[str] = []
    for f in fields(Limits):
        text = os.environ.get(ENV[f.name], "").strip()
        if not text:
            continue
        try:
            value = float(text)
            if not (value > 0 and value < float("inf")):
                raise ValueError
            changes[f.name] = int(value) if f.type in (int, "int") else value
        except ValueError:
            problems.append(f"(limits) | {ENV[f.name]}={text[:40]!r} must be a positive number")
    if problems:
        raise ValidationError(problems)
    return replace(Limits(), **changes)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KB"


def _read_at_most(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _tail(text: str, width: int = 120) -> str:
    """The end of ``text`` (a path names its file last) for a one-line message: at most ``width``
    characters, control characters escaped."""
    return printable(text if len(text) <= width else "…" + text[-(width - 1):])


def _loops(path: Path) -> bool:
    """Whether ``path`` leads through a loop of symbolic links (one was called broken: audit)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def read_bytes(path: str | Path, label: str, max_bytes: int, limit: str, limits: Limits) -> bytes:
    """The bytes of regular file ``path``, at most ``max_bytes`` of them, or a ValidationError
    labelled ``label`` (a broken link, a folder, a FIFO or device, a file over limit ``limit``).

    The file is opened without blocking (a FIFO never hangs) and checked on the open
    descriptor, so what is read is what was checked; never more than ``max_bytes + 1`` are read.
    """
    path = Path(path)
    try:  # (a name over 255 bytes raised from is_symlink: a traceback without the label)
        if path.is_symlink() and not path.exists() and not _loops(path):  # (a loop: said by os.open)
            raise ValidationError([f"({label}) | {_tail(path.name)} is a broken symbolic link (to "
                                   f"{_tail(str(os.readlink(path)))}); fix or remove it"])
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        why = {errno.ELOOP: "it leads through a loop of symbolic links",
               errno.ENXIO: "it is a socket or a device without a reader, not a regular file"}.get(
            exc.errno, exc.strerror)
        raise ValidationError([f"({label}) | cannot read {_tail(path.name)}: {why}"]) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            mode = info.st_mode
            kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
                    if stat.S_ISSOCK(mode) else "a special file")
            raise ValidationError([f"({label}) | {path.name} is {kind}, not a regular file"])
        size = info.st_size
        data = b"" if size > max_bytes else _read_at_most(fd, max_bytes + 1)
    except OSError as exc:  # a read error (EIO): the file named, no traceback
        raise ValidationError([f"({label}) | cannot read {path.name}: {exc.strerror or exc}"]) from exc
    finally:
        os.close(fd)
    if size > max_bytes or len(data) > max_bytes:
        shown = _size(size) if size > max_bytes else f"over {_size(max_bytes)}"
        raise ValidationError([f"({label}) | {path.name} is {shown}, over the limit of "
                               f"{limits.describe(limit)}"])
    return data


__all__ = ["ENV", "Limits", "current", "read_bytes"]
