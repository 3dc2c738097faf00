"""The output paths of the command line: refused before any work when they would overwrite or
sit inside an input, overlap each other or name a folder like a file (:func:`check_paths`), and
an error while writing one as one clear line naming its option (:func:`writing`)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .exceptions import ResilientSCError, ValidationError

#: input arguments of the commands and what they name, for the messages of check_paths
INPUTS = {"policy": "policy file", "policies": "policies file", "file": "instance file"}
#: suffixes of files: an output folder named so (``--out plan.csv``) is a mistake, refused
FILE_SUFFIXES = frozenset({".csv", ".xlsx", ".xls", ".xlsm", ".ods", ".json", ".txt", ".zip", ".md", ".png",
                           ".svg", ".pdf", ".html", ".yaml", ".yml", ".log"})


def check_paths(args: argparse.Namespace, out: Path | None, folder: bool, option: str = "--out",
                workbook: bool = False, network: bool = False,
                replaceable: frozenset[str] | None = None) -> None:
    """Refuse, before any work, outputs that would overwrite or sit inside an input, or that
    cannot be written (:func:`resilient_sc.output_paths.output_problem`): ``out`` (a folder or a file)
    and the ``--log`` file, checked against DATA and every input file of the command; an output
    folder named like a file (``workbook``: the command writes a .xlsx workbook too). ``network``:
    ``out`` is a network's data (``init``, ``orlib``), which may replace a network's folder;
    ``replaceable``: the file types ``--force`` may replace in an ``out`` folder (default
    :data:`resilient_sc.io.OUTPUT_SUFFIXES`)."""
    from . import io, output_paths  # pandas: imported by the commands that run, not by --help

    replaceable = io.OUTPUT_SUFFIXES if replaceable is None else replaceable
    inputs: dict[str, Path | None] = {name: getattr(args, arg, None) for arg, name in INPUTS.items()}
    data = getattr(args, "data", None)
    if data is not None:
        inputs["input workbook" if data.is_file() else "data folder"] = data
    outputs = [(option, out, folder)]
    if getattr(args, "log", None) not in (None, Path("-")):
        outputs.append(("--log", args.log, False))
    force = getattr(args, "force", False)
    problems = [f"({opt}) | {problem}" for opt, path, is_folder in outputs if path is not None
                and (problem := output_paths.output_problem(path, inputs, is_folder, force,
                                                            network=network and opt == option,
                                                            outputs=replaceable,
                                                            replaced=opt != "--log")) is not None]
    if out is not None and str(out) == "-":  # '--log -' is stderr; an --out '-' made a folder named '-'
        problems.append(f"({option}) | '-' is not an output here ({option} writes files; --json prints the "
                        "results to stdout): give a path")
    elif folder and out is not None and out.suffix.lower() in FILE_SUFFIXES:
        takes = "a folder, or a workbook ending in .xlsx," if workbook else "a folder"
        problems.append(f"({option}) | {out} ends in {out.suffix}, as a file does, but {option} writes "
                        f"{takes} here; give a folder path")
    given = [(opt, path) for opt, path, _ in outputs if path is not None]
    for (first, a), (second, b) in itertools.combinations(given, 2):  # e.g. --log inside the --out folder
        ra, rb = a.resolve(), b.resolve()
        if ra == rb or ra in rb.parents or rb in ra.parents:
            how = "is the same path as" if ra == rb else "is inside" if ra in rb.parents else "holds"
            problems.append(f"({second}) | {b} {how} the {first} output {a}: one would replace or lose the "
                            "other; give them separate paths")
    if problems:
        raise ValidationError(problems, "with the output paths")
    _CHECKED.update({str(path): stamp(path) for _, path in given})


#: each output path checked before the work, and its :func:`stamp` then: what is there at the end
#: and was not then was written meanwhile by another run (:func:`writing`)
_CHECKED: dict[str, tuple[int, int] | None] = {}


#: write errors of the disk, not of the path given: no space, over a quota or a file size limit, I/O
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


#: the attribute of an error while writing that holds the results not written (:func:`writing`)
RESULTS = "results_not_written"


@contextlib.contextmanager
def writing(path: Path, option: str = "--out",
            results: tuple[dict[str, Any], str] | None = None) -> Iterator[None]:
    """An error while writing the output ``path`` (no space left, permissions, a folder
    filled meanwhile) as one clear line naming the option: a :class:`ValidationError` (bad input)
    when the path is at fault, else (:data:`FULL`) a :class:`ResilientSCError`. ``results``: the
    command's JSON data and text, kept on the error (:data:`RESULTS`) to be printed all the same
    (a plan solved for an hour was lost with a workbook over Excel's rows)."""
    try:
        yield
    except (OSError, ResilientSCError) as caught:
        from .io import NOT_EMPTY

        exc = caught
        # words for a folder there at the start, of one filled since (only those: a precise refusal, a
        # full disk beside a .DS_Store written meanwhile, keep their own words: review)
        there = NOT_EMPTY in str(caught)
        if there and str(path) in _CHECKED and stamp(path) != _CHECKED[str(path)]:
            exc = ValidationError([f"({option}) | cannot write {path}: written meanwhile by another run or "
                                   "program, nothing of this run was written; give another path, or pass "
                                   "--force to replace it as a whole"], "with the output paths")
        error = exc if isinstance(exc, ResilientSCError) else _write_error(exc, path, option)
        if results is not None:
            setattr(error, RESULTS, results)
        if error is caught:
            raise
        raise error from caught


def _write_error(exc: OSError, path: Path, option: str) -> ResilientSCError:
    from .io import TMP_MARK

    detail = exc.strerror or str(exc)
    if exc.filename and Path(exc.filename) != path and TMP_MARK not in str(exc.filename):
        detail += f" ({exc.filename})"
    problem = f"({option}) | cannot write {path}: {detail}"
    if exc.errno in FULL:  # the machine's, not the path's: no bad input (exit code 1, not 2)
        return ResilientSCError(problem)
    return ValidationError([problem], "with the output paths")


def empty_log(log: Path) -> None:
    """``--log``'s file, made empty: HiGHS appends each of its runs to it. A symbolic link to a
    file not there yet is followed and its target made, folders too, as :func:`.io.atomic_path`
    does for ``--out``'s files."""
    if log.is_symlink() and not log.exists():  # 'cannot write log.lnk: No such file or directory'
        log = log.resolve()
    with writing(log, "--log"):
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_bytes(b"")


def stamp(path: Path | None) -> tuple[int, int] | None:
    """What tells a file or folder at ``path`` from one written later: inode and modification time."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns) if st is not None else None
