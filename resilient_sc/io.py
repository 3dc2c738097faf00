"""Safe output: files and folders appear whole or not at all, text a spreadsheet would run as a
formula is escaped, and output paths are checked against the inputs (docs/reliability.md).

* A file is written to a temporary file beside it, renamed over it on success
  (:func:`atomic_path`); a folder is written to a temporary sibling folder that takes its place
  as a whole (:func:`atomic_folder`; an existing non-empty folder only with ``force``, and
  only when it holds nothing but output files). Temporaries are hidden
  (``.<name>.rsc-tmp.<host>.<pid>.<random>``), removed on any error, and those left by a
  killed process are removed by the next writer of the same path.
* Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP
  CSV-injection list) get a leading ``'`` in CSV files; in ``.xlsx`` workbooks they are
  text cells with Excel's quote prefix (the value unchanged), never formulas. Numbers, and
  text that is a plain number such as ``-5``, are left as they are.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import hashlib
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import pandas as pd

from .escaping import as_json, escape_frame, safe_markdown
from .exceptions import RunWarning, ValidationError, check_path, warn
from .format import exact_numbers, output_float, output_numbers
from .limits import ZIP_ERRORS
from .plain_json import to_json
from .schema import TABLES
from .sheet_format import format_sheet
from .worded import worded
from .wording import brief

# ---- atomic files and folders -------------------------------------------------------------
#: marks the hidden temporaries of the writers: ``.<name>.rsc-tmp.<host>.<pid>.<random>``
TMP_MARK = ".rsc-tmp."
#: what an output folder may hold to be replaced as a whole (with ``force``)
OUTPUT_SUFFIXES = frozenset({".csv", ".json", ".md", ".png", ".svg"})
#: the files of a network's data, a CSV per table: a folder holding one is a network, which only
#: the writers of networks replace (``write_network``, the template; ``network=True``)
DATA_FILES = frozenset(f"{name}.csv" for name in TABLES)
#: the creator of the workbooks of results (write_workbook): one the command line replaces without force
RESULT_CREATOR = "resilient_sc"
#: files the desktop adds to folders, ignored when deciding whether a folder holds only outputs
DESKTOP_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", platform.node())[:24] or "host"


def _tmp_prefix(path: Path) -> str:
    return f"{_tmp_stem(path)}{os.getpid()}."


def _tmp_stem(path: Path) -> str:
    """The start of every temporary name of ``path``: its name, cut to 100 bytes and a digest (a
    legal 245-character name with the 40 added was over the file system's 255 bytes and failed
    after the solve, and so did 68 CJK characters, 204 bytes, cut by characters: audit), the mark
    and this host."""
    raw = os.fsencode(path.name)
    name = path.name if len(raw) <= 100 else (
        f"{raw[:100].decode('utf-8', 'ignore')}~{hashlib.sha256(raw).hexdigest()[:8]}")  # whole characters
    return f".{name}{TMP_MARK}{_HOST}."


def _usual_mode(path: Path, mode: int) -> None:
    """Give a temporary the permissions a plain ``open``/``mkdir`` would (mkstemp: 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: never sweep
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def sweep(path: str | Path) -> list[Path]:
    """Remove the temporaries of ``path`` left by writers on this host that were killed
    (their process is gone); return what was removed."""
    path = Path(path)
    prefix = _tmp_stem(path)
    removed = []
    try:  # "." + prefix: a temporary's own (a plan saved into the command's temporary folder)
        names = [n for n in os.listdir(path.parent) if n.startswith((prefix, "." + prefix))]
    except OSError:
        return removed
    for name in names:
        pid = name[len(prefix) + name.startswith("." + prefix):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            removed.append(_remove(path.parent / name))
    return removed


_LIVE: set[Path] = set()  # the temporaries being written, for remove_temporaries


def remove_temporaries() -> None:
    """Remove the temporaries being written (:func:`atomic_path`, :func:`atomic_folder`), for a
    process about to end without unwinding (a command stopped past its grace: ``cli._Deadline``)."""
    for tmp in list(_LIVE):
        with contextlib.suppress(OSError):
            _remove(tmp)


def _remove(path: Path) -> Path:
    """Remove the file or folder ``path`` (a folder with what it holds; a link, not its target)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return path


@contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (ending in ``suffix``, for writers that pick the
    format from it); on success it replaces ``path`` atomically.

    On any exception (KeyboardInterrupt included) the temporary is removed and ``path`` is
    left as it was. Missing parent folders are created. A symbolic link to a file is followed:
    its target is replaced, as a linked folder's is (:func:`atomic_folder`), not the link.
    """
    path = Path(path)
    if path.is_symlink() and not path.is_dir():  # a dangling one: its target is created
        path = path.resolve()
    if path.is_dir():  # before any work: os.replace would fail at the end, naming the temporary
        raise IsADirectoryError(errno.EISDIR, f"{path} is a folder; give a file path", str(path))
    if path.exists() and not path.is_file():  # as root, a link to /dev/null replaced /dev/null (audit)
        raise OSError(errno.EINVAL, f"{path} is not a regular file (a device, pipe or socket); give a file "
                      "path", str(path))
    with _named_as(path):
        made = make_parent(path)
        sweep(path)
        fd, name = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        _LIVE.add(tmp)
        try:
            _usual_mode(tmp, 0o666)
            yield tmp
            os.replace(tmp, path)
            made = []
        finally:
            tmp.unlink(missing_ok=True)
            _LIVE.discard(tmp)
            _unmake(made)


@contextlib.contextmanager
def _named_as(path: Path) -> Iterator[None]:
    """An OSError of writing the output ``path`` that names no file, or a temporary, named as
    ``path`` (a full disk said '[Errno 28] No space left on device' alone, a read-only place
    '.net.rsc-tmp.vm.14394.1q73k15s', a name the caller never gave: audit)."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None or (exc.filename is not None and TMP_MARK not in str(exc.filename)):
            raise
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc


def make_parent(path: Path) -> list[Path]:
    """Create the missing folders above ``path``, returned outermost first (:func:`_unmake`); one
    beneath a file is a NotADirectoryError naming that file (``mkdir`` said ``File exists``)."""
    existing = next(p for p in path.absolute().parents if p.exists())
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"cannot create {path}: {existing} is a file, not a folder")
    made = [p for p in reversed(path.absolute().parents) if not p.exists()]
    live = {tmp.absolute(): tmp for tmp in list(_LIVE)}  # (another thread may add one meanwhile)
    if gone := next((live[p] for p in made if p in live), None):  # made again, its files written after
        raise _removed(gone, path)  # would take the place of the whole output (audit)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # those made before the one that failed (a name too long): removed, as the docs say
        _unmake(made)
        raise
    return made


def _removed(tmp: Path, path: Path) -> FileNotFoundError:
    """The error of an unfinished folder ``tmp`` (of the output ``path``) removed while written."""
    return FileNotFoundError(errno.ENOENT, f"the unfinished folder {tmp.name} was removed while this run "
                             "wrote it (by another program?): nothing of this run was written", str(path))


def _unmake(made: list[Path]) -> None:
    """Remove the folders :func:`make_parent` made for a write that failed, those still empty."""
    for folder in reversed(made):  # innermost first (a typo's folders were left behind)
        with contextlib.suppress(OSError):
            folder.rmdir()


#: the words of a folder there before a write, that ``force`` would replace (the CLI tells them
#: from those of one filled while its run worked: cli_paths.writing)
NOT_EMPTY = "is a folder that is not empty"


def folder_problem(path: str | Path, force: bool = False, flag: str = "force=True",
                   outputs: frozenset[str] = OUTPUT_SUFFIXES, network: bool = False) -> str | None:
    """Why :func:`atomic_folder` would refuse to write the folder ``path``, or None.

    An existing file is never replaced by a folder; an existing non-empty folder only with
    ``force`` (the message names it as ``flag``), and only when it holds nothing but files
    ending in ``outputs`` (:data:`OUTPUT_SUFFIXES`: what the commands write; no subfolders) and,
    unless ``network`` (a network's tables are written), none of :data:`DATA_FILES`, so that no
    other work is ever deleted (a plan written over another network's data folder deleted it),
    and when it is writable (a folder made read-only to keep it was swapped all the same).
    """
    path = Path(path)
    if not path.exists():
        return None
    if not path.is_dir():
        return f"{path} is a file, not a folder"
    try:
        here = Path.cwd()
    except FileNotFoundError:  # run from a folder since removed (a CI step's cleaned temporary folder)
        here = None
    if here is not None and path.resolve() in (here, *here.parents):  # a folder in use: not swapped
        return (f"{path} is the current folder{'' if path.resolve() == here else ' or holds it'}: a folder "
                "is written whole, beside it; give a new folder, e.g. ./network")
    # made read-only to keep it (the swap would not ask; an empty one was replaced, and left
    # writable); by its mode bits too: root may write anything
    read_only = (f"{path} is read-only; it is not replaced even with {flag}: make it writable, or choose "
                 "another folder")
    entries = [e for e in os.scandir(path) if e.name not in DESKTOP_FILES and TMP_MARK not in e.name]
    if not entries:
        return read_only if _read_only(path) else None
    data = sorted(e.name for e in entries if e.name.lower() in DATA_FILES) if not network else []
    if data:  # said before asking for force, which would not replace it
        return (f"{path} holds a network's data ({_some(data)}); it is not replaced even with {flag}: choose "
                "a new or empty folder")
    if _read_only(path):  # said before asking for force, which would not replace it either (audit)
        return read_only
    locked = sorted(e.name for e in entries if e.is_file(follow_symlinks=False)
                    and not e.stat(follow_symlinks=False).st_mode & 0o222)
    if locked:  # a file made read-only to keep it was replaced with the folder (file system audit)
        return (f"{path} holds the read-only {_some(locked)}; it is not replaced even with {flag}: make "
                "it writable, or choose another folder")
    if not force:
        return f"{path} {NOT_EMPTY}; pass {flag} to replace it as a whole"
    others = sorted(e.name + (" (a symbolic link)" if e.is_symlink() else "/" if e.is_dir() else "")
                    for e in entries if not _is_output(e, outputs))
    if others:
        kinds = ", ".join(sorted(outputs))
        return (f"{path} holds other files than {kinds} ({_some(others)}); it is not replaced even with "
                f"{flag}: choose a new or empty folder")
    return None


def _some(names: list[str]) -> str:
    """The first three ``names`` and how many more."""
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _read_only(path: Path) -> bool:
    return not os.access(path, os.W_OK | os.X_OK) or not path.stat().st_mode & 0o222


def _is_output(entry: os.DirEntry[str], outputs: frozenset[str]) -> bool:
    return entry.is_file(follow_symlinks=False) and Path(entry.name).suffix.lower() in outputs


@contextmanager
def atomic_folder(path: str | Path, force: bool = False, flag: str = "force=True",
                  outputs: frozenset[str] = OUTPUT_SUFFIXES, network: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; on success it takes the place of
    ``path`` as a whole, so that ``path`` is always absent, the old folder or the new one.

    An existing non-empty folder is replaced only with ``force`` and when it holds only files
    ending in ``outputs`` and no network's data unless ``network`` (:func:`folder_problem`;
    ``flag`` is how its messages name it),
    by an atomic exchange where the system has one (Linux), else by two renames. On any
    exception the temporary folder is removed and ``path`` is left as it was.
    Raises :class:`FileExistsError` (or :class:`NotADirectoryError` for a file) when refused.
    """
    path = Path(path)
    if path.is_symlink() and path.is_dir():
        path = path.resolve()
    _refuse(path, force, flag, outputs, network)
    with _named_as(path):
        made = make_parent(path)
        sweep(path)
        tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(path), dir=path.parent))
        _LIVE.add(tmp)
        try:
            _usual_mode(tmp, 0o777)
            try:
                yield tmp
            except FileNotFoundError:
                if tmp.is_dir():
                    raise
                raise _removed(tmp, path) from None  # named as the output, not as a file in it
            if not tmp.is_dir():
                raise _removed(tmp, path)
            _swap_in(tmp, path, force, flag, outputs, network)
            made = []
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
            _LIVE.discard(tmp)
            _unmake(made)
            if tmp.exists():  # e.g. the replaced old folder holds a folder without write permission
                warn(f"could not remove {tmp} (the folder replaced at {path.name}, or the unfinished "
                     "new one): remove it by hand", RunWarning)


def _refuse(path: Path, force: bool, flag: str, outputs: frozenset[str], network: bool) -> None:
    problem = folder_problem(path, force, flag, outputs, network)
    if problem is not None:
        if path.is_dir():
            raise FileExistsError(errno.EEXIST, problem, str(path))
        raise NotADirectoryError(errno.ENOTDIR, problem, str(path))


def _swap_in(tmp: Path, path: Path, force: bool, flag: str, outputs: frozenset[str], network: bool) -> None:
    """Put the folder ``tmp`` in the place of ``path``; the old folder, if any, ends in ``tmp``."""
    try:
        os.rename(tmp, path)  # path absent or an empty folder
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    try:  # filled meanwhile (another writer): the same rules
        _refuse(path, force, flag, outputs, network)
    except OSError as exc:  # (this run saw it otherwise at its start: its words alone read as a slip)
        raise type(exc)(exc.errno, "written meanwhile by another run or program, nothing of this run was "
                        f"written: {exc.strerror}", str(path)) from None
    gone = sorted(set(os.listdir(path)) - set(os.listdir(tmp)) - DESKTOP_FILES)
    if _exchange(tmp, path):
        _said_removed(path, gone)
        return
    old = Path(tempfile.mkdtemp(prefix=_tmp_prefix(path), dir=path.parent))
    os.rename(path, old / "old")
    try:
        os.rename(tmp, path)
    except OSError:  # (Windows: a file of tmp held open by a virus scanner): the old folder put back,
        os.rename(old / "old", path)  # where it was left under a hidden name for the next run to sweep
        old.rmdir()
        raise
    os.rename(old, tmp)  # removed by the caller with the rest of tmp
    _said_removed(path, gone)


def _said_removed(path: Path, gone: list[str]) -> None:
    """Warn of the files of the folder ``path`` replaced that the new one does not hold: a planner's
    notes.md beside a plan went without a word (file system audit)."""
    if gone := [name for name in gone if TMP_MARK not in name]:
        warn(f"{path} was replaced as a whole: {_some(gone)}, of the folder before and not of this result, "
             f"{'is' if len(gone) == 1 else 'are'} gone", RunWarning)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd, exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


#: the part of a workbook holding its core properties (creator, times, the seal of a result's)
CORE_PART = "docProps/core.xml"


def _parts_digest(book: zipfile.ZipFile) -> str:
    """SHA-256 of every part of a workbook but :data:`CORE_PART`, names and bytes."""
    digest = hashlib.sha256()
    for info in sorted(book.infolist(), key=lambda i: i.filename):
        if info.filename != CORE_PART:
            digest.update(f"{info.filename}\0{info.file_size}\0".encode())
            with book.open(info) as part:
                for chunk in iter(functools.partial(part.read, 1 << 20), b""):
                    digest.update(chunk)
    return f"{RESULT_CREATOR}:sha256:{digest.hexdigest()}"


def _seal(path: Path) -> None:
    """Record the digest of the workbook ``path``'s parts (:func:`_parts_digest`) as its
    identifier (``dc:identifier``): any program saving it after changes them, a planner's notes
    or a re-save alike (Excel keeps the creator)."""
    # ``path`` opened after the temporary, so closed before it is replaced (Windows refuses otherwise)
    with atomic_path(path) as sealed, zipfile.ZipFile(path) as book, zipfile.ZipFile(sealed, "w") as out:
        mark = f"<dc:identifier>{_parts_digest(book)}</dc:identifier></cp:coreProperties>"
        for info in book.infolist():
            if info.filename == CORE_PART:
                out.writestr(info, book.read(info).decode().replace("</cp:coreProperties>", mark))
                continue
            with book.open(info) as part, out.open(info, "w") as copy:
                shutil.copyfileobj(part, copy)


def is_result_workbook(path: str | Path) -> bool:
    """Whether ``path`` is a workbook of results the library wrote, as it wrote it (its creator,
    :data:`RESULT_CREATOR`, and the digest of its parts that sealed it, :func:`_seal`): one the
    command line replaces without ``--force``. Who wrote it, not its sheets (which tell a result
    given as data: ``resilient_sc.data._is_result``): a planner's workbook with result sheets
    pasted in is the planner's, and so is a result a planner has since saved."""
    try:
        with zipfile.ZipFile(path) as book:
            core = book.read(CORE_PART).decode("utf-8", "replace")
            return (f"<dc:creator>{RESULT_CREATOR}</dc:creator>" in core
                    and f"<dc:identifier>{_parts_digest(book)}</dc:identifier>" in core)
    except (KeyError, *ZIP_ERRORS):
        return False


# ---- writers ------------------------------------------------------------------------------
def write_bytes(path: str | Path, writer: Callable[[BinaryIO], None]) -> None:
    """Write a file atomically through ``writer(file)``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        writer(fh)


def write_csv(path: str | Path, df: pd.DataFrame, escape: bool = True) -> None:
    """Write ``df`` as UTF-8 CSV without its index, atomically. An output (``escape``): formula-like
    text escaped and mappings as JSON (:func:`~.escaping.escape_frame`), numbers to
    :data:`~.format.OUTPUT_DIGITS` significant digits, and a byte order mark first (Excel's "CSV
    UTF-8": without it, Excel opened München as MÃ¼nchen); a data table that must read back as
    given (not ``escape``): exactly as given, without one. Counts as whole numbers (:func:`counts_whole`)."""
    out = counts_whole(escape_frame(worded(df)) if escape else df)
    floats = [i for i, t in enumerate(out.dtypes) if pd.api.types.is_float_dtype(t)]
    if floats:  # numbers written here, a column at once (to_csv's float_format is called a cell at a time)
        out = out.copy()
        numbers = output_numbers if escape else exact_numbers
        for i in floats:  # by position: a name may be given twice
            out.isetitem(i, numbers(out.iloc[:, i].to_numpy(float)))
    with atomic_path(path) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8-sig" if escape else "utf-8")


def counts_whole(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its count columns (``n_suppliers``, ``n_hubs_started``, …: float where a row
    without a plan leaves a blank) as whole numbers, blank where missing: 13, not 13.0.

    >>> counts_whole(pd.DataFrame({"n_hubs": [4.0, float("nan")], "cost": [1.0, 2.0]})).to_dict("list")
    {'n_hubs': [4, None], 'cost': [1.0, 2.0]}
    """
    counts = [c for c in df.columns if str(c).startswith("n_") and pd.api.types.is_float_dtype(df[c])
              and bool((df[c].dropna() % 1 == 0).all())]
    return df.astype({c: "Int64" for c in counts}) if counts else df


def write_tables(frames: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each frame as ``<name>.csv`` into the existing ``folder``, exactly as given (no
    escaping: these are data tables that ``read_network`` reads back)."""
    paths = [Path(folder) / f"{name}.csv" for name in frames]
    for path, df in zip(paths, frames.values(), strict=True):
        write_csv(path, df, escape=False)
    return paths


class HasFrames(Protocol):
    """What has its tables as frames: a :class:`~resilient_sc.data.Network`."""

    def frames(self) -> dict[str, pd.DataFrame]: ...


def write_network(frames: Mapping[str, pd.DataFrame] | HasFrames, folder: str | Path, force: bool = False,
                  flag: str = "force=True") -> list[Path]:
    """Write each frame as ``<name>.csv`` into ``folder``, the folder as a whole
    (:func:`atomic_folder`: an existing non-empty folder only with ``force``).

    ``frames`` is a Network or its :meth:`Network.frames`; the folder reads back with
    ``read_network``.
    """
    if callable(getattr(frames, "frames", None)):
        frames = frames.frames()  # type: ignore[union-attr]
    if not isinstance(frames, Mapping):
        raise ValidationError([f"(frames) | {brief(frames)} is no network: give a Network or its frames()"])
    check_path("folder", folder, "a folder to write the tables to")
    folder = Path(folder)
    with atomic_folder(folder, force, flag, network=True) as tmp:
        written = write_tables(frames, tmp)
    return [folder / p.name for p in written]


def write_json(path: str | Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(to_json(worded(data)) + "\n", encoding="utf-8")


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8, atomically; a Markdown file (``.md``) with no HTML, link or image
    but the library's own (:func:`~.escaping.safe_markdown`: names from the data are in it)."""
    text = worded(text)
    with atomic_path(path) as tmp:
        tmp.write_text(safe_markdown(text) if Path(path).suffix.lower() == ".md" else text, encoding="utf-8")


def write_excel(path: str | Path, sheets: Mapping[str, pd.DataFrame],
                finish: Callable[[Any], None] | None = None, results: bool = False) -> None:
    """Write one sheet per DataFrame, readable: frozen header, fitted widths, number formats;
    formula-like text as quote-prefixed text cells (never formulas); ``finish(book)`` may
    restyle the openpyxl workbook before it is saved (atomically). Of ``results`` (not data that
    must read back as given), numbers to :data:`~.format.OUTPUT_DIGITS` significant digits, as
    the CSVs write them (a local share of 0.4999999999999999 failed a planner's ``>= 0.5``).

    A write that fails (a full disk) raises one OSError naming ``path``: openpyxl's worksheet
    streams, left open by the failure, are closed without the tracebacks Python would print.
    A sheet over Excel's rows is a :class:`ValidationError` before anything is written; a text
    over Excel's characters a cell is cut where it says so (:func:`_fit_cells`)."""
    too_long = [f"({name}) | {len(df):,} rows: over the {EXCEL_ROWS - 1:,} a worksheet holds; write CSV "
                "files instead (a folder, not a .xlsx file)"
                for name, df in sheets.items() if len(df) >= EXCEL_ROWS]
    if too_long:
        raise ValidationError(too_long, "with the workbook")
    try:
        with atomic_path(path) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for name, given in sheets.items():
                    df = _fit_cells(name, _rounded(worded(given)) if results else given)
                    # infinite is an unlimited capacity (the only one there is): in words, not 'inf'
                    df.to_excel(xl, sheet_name=name[:31], index=False, inf_rep="unlimited")
                    format_sheet(xl.sheets[name[:31]], df)
                if finish is not None:
                    finish(xl.book)
            if results:
                _seal(tmp)
        return
    except OSError as exc:
        failure = OSError(exc.errno, exc.strerror or str(exc), str(path))
        sys.unraisablehook, hook = (lambda _: None), sys.unraisablehook
    try:  # the failed write's frames are freed as the except clause ends: its streams close here
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise failure


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its floats (in float columns, and in mixed columns such as a summary's values)
    to :data:`~.format.OUTPUT_DIGITS` significant digits: 0.5, not 0.4999999999999999; mappings
    and lists as JSON text (:func:`~.escaping.as_json`)."""
    def one(v: Any) -> Any:
        return output_float(v) if isinstance(v, float | np.floating) and math.isfinite(v) else as_json(v)

    out = df.copy()
    for i, t in enumerate(df.dtypes):  # by position: a name may be given twice
        if pd.api.types.is_float_dtype(t) or pd.api.types.is_object_dtype(t):
            values = df.iloc[:, i]
            wide = np.float64 if getattr(t, "itemsize", 8) < 8 else t  # float32's digits widened
            out.isetitem(i, pd.Series([one(v) for v in values.to_numpy()], index=df.index, dtype=wide))
    return out


#: Excel's rows a worksheet (the header's included) and characters a cell
EXCEL_ROWS, EXCEL_CELL = 1_048_576, 32_767


def _fit_cells(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text over Excel's :data:`EXCEL_CELL` characters cut at a comma or space,
    ending ``… (cut: N more characters)``, and a :class:`RunWarning` naming the sheet and column
    (openpyxl cut mid-word, without a mark); ``df`` itself when none is."""
    out = df
    for col in df.columns:
        texts = df[col]
        if not (pd.api.types.is_object_dtype(texts) or pd.api.types.is_string_dtype(texts)):
            continue
        try:
            long = (texts.str.len() > EXCEL_CELL).fillna(False).to_numpy(bool)
        except AttributeError:  # no text in the column
            continue
        if not long.any():
            continue
        out = out.copy() if out is df else out
        out[col] = out[col].astype(object)
        out.loc[long, col] = [_cut(v) for v in texts[long]]
        warn(f"({name}) | column {col}: {int(long.sum()):,} text(s) over the {EXCEL_CELL:,} "
             "characters an Excel cell holds, cut where they say so; CSV outputs hold them whole", RunWarning)
    return out


def _cut(text: str) -> str:
    room = EXCEL_CELL - 40
    at = max(text.rfind(", ", 0, room), text.rfind(" ", 0, room))
    kept = text[:at if at > room // 2 else room]
    return f"{kept} … (cut: {len(text) - len(kept):,} more characters)"
