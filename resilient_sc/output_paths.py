"""Where an output may go: never over, inside or around an input (a data folder, a table a
symbolic link leads to, a policy file), never a folder where a file is meant or the reverse, nor a
file a person has open or made by hand, and only where its parent can be made and written. The
writers of :mod:`.io` then write it whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from . import io

#: the longest name of a file or folder, in bytes (Linux, macOS; Windows: 255 characters)
NAME_MAX = 255


def output_problem(path: str | Path, inputs: Mapping[str, Path | None], folder: bool,
                   force: bool = False, flag: str = "--force", network: bool = False,
                   outputs: frozenset[str] = io.OUTPUT_SUFFIXES, replaced: bool = True) -> str | None:
    """Why the output ``path`` (a folder, or a file) must not be written, or None: it is an
    input, lies inside an input folder or holds an input; it is a file where a folder is
    needed or the reverse; it is an existing non-empty folder without ``force``, or holding
    other files than ``outputs`` (:func:`.io.folder_problem`; ``network``: the folder written is a
    network's data); or its parent cannot be created or written.

    ``replaced``: the file is replaced as a whole (a device or socket is refused), not written in
    place as a log is (``/dev/null`` serves).

    ``inputs`` maps a description (``"data folder"``) to an input path. A path the system cannot
    follow (a loop of symbolic links, a name too long) is a problem too, never an error.
    """
    path = Path(path)
    try:
        return _output_problem(path, inputs, folder, force, flag, network, outputs, replaced)
    except (RuntimeError, OSError) as exc:  # Path.resolve in a loop of links: RuntimeError before Python 3.13
        loop = not isinstance(exc, OSError) or exc.errno == errno.ELOOP
        why = "it leads through a loop of symbolic links" if loop else exc.strerror or exc
        return f"cannot write {path}: {why}"


def _output_problem(path: Path, inputs: Mapping[str, Path | None], folder: bool, force: bool, flag: str,
                    network: bool, outputs: frozenset[str], replaced: bool) -> str | None:
    out = path.resolve()
    for what, given in inputs.items():
        if given is None or not given.exists():
            continue
        source = given.resolve()
        if out == source or (path.exists() and os.path.samefile(path, given)):
            return f"{path} is the {what}; choose another path"
        if source.is_dir() and source in out.parents:
            where = "would overwrite a file of" if path.exists() else "is inside"
            return f"{path} {where} the {what} {given}; write outputs elsewhere"
        if out in source.parents:
            return f"{path} holds the {what} {given}; choose another path"
        table = _linked_input(path, source) if source.is_dir() and path.is_file() else None
        if table is not None:  # a hard link to a table, or the target of a table's symbolic link
            return f"{path} is the {what}'s {table} (a link to it); choose another path"
        table = _linked_input(path, source, inside=True) if source.is_dir() and path.is_dir() else None
        if table is not None:  # replaced, the folder took the table with it (--force deleted it: audit)
            return f"{path} holds the file the {what}'s {table} links to; choose another path"
    if folder and path.is_symlink() and not path.exists():  # refused after all the work, 'Not a directory'
        return (f"{path} is a symbolic link to {os.readlink(path)}, which does not exist: give the folder's "
                "own path, or make the folder the link names first")
    if folder:
        problem = io.folder_problem(path, force, flag, outputs, network)
        if problem is not None:
            return problem
    elif path.is_dir():
        return f"{path} is a folder; give a file path"
    elif path.exists() and not path.is_file() and stat.S_ISFIFO(path.stat().st_mode):
        return f"{path} is a named pipe (FIFO): writing to it waits for a reader; give a file path"
    elif path.exists() and not path.is_file() and replaced:  # a device or socket (a log goes in: /dev/null)
        return (f"{path} is not a regular file (a device or a socket), which a result would replace; give a "
                "file path")
    elif path.is_file() and not path.stat().st_mode & 0o222:  # by its mode bits: root may write anything
        return (f"{path} is read-only; it is not replaced even with {flag}: make it writable, or choose "
                "another path")
    elif (lock := _office_lock(path)) is not None:
        return (f"{path} is open in a spreadsheet program ({lock.name} beside it is its lock file): close it "
                "(or delete that lock file if it is not open), or choose another path")
    elif (path.suffix.lower() == ".xlsx" and path.is_file() and not force and not network
          and not io.is_result_workbook(path)):  # a network's workbook (init) says so itself
        return (f"{path} is not a result workbook as the library writes it (one made by hand, a network's "
                f"data, a result saved since, or one of an earlier release); pass {flag} to replace it")
    if long := next((part for part in path.parts if len(os.fsencode(part)) > NAME_MAX), None):
        # a missing folder's name was checked by no one ('no such file'): refused after the work (audit)
        return f"cannot write {path}: the name {long[:40]!r}… is longer than {NAME_MAX} bytes"
    existing = next(p for p in out.parents if p.exists())
    if not existing.is_dir():
        return f"cannot create {path}: {existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write {path}: {existing} is not writable"
    return None


def _linked_input(path: Path, folder: Path, inside: bool = False) -> str | None:
    """The name of the file of the input ``folder`` that the existing file ``path`` is (a hard
    link to it, or the target of its symbolic link: ``--log`` written there emptied the table), or,
    ``inside``, whose symbolic link leads into the existing folder ``path``; None when none."""
    out = path.resolve()
    with os.scandir(folder) as entries:
        for entry in itertools.islice(entries, 10_000):  # a data folder holds a dozen tables
            with contextlib.suppress(OSError):
                if entry.is_file() and (out in Path(entry.path).resolve().parents if inside
                                        else os.path.samefile(entry.path, path)):
                    return entry.name
    return None


def _office_lock(path: Path) -> Path | None:
    """Excel's or LibreOffice's lock file of the workbook ``path`` when it is open there
    (``~$plan.xlsx``, ``.~lock.plan.xlsx#``): replacing it under the program loses the planner's
    edits or fails at the end."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        return None
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.is_file():
            return lock
    return None
