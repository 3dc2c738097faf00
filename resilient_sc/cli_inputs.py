"""The commands that read or write input data, for :mod:`resilient_sc.cli`: :func:`load_network`
(every command's DATA), ``init`` (the input template, or DATA's own tables in the other form: a
CSV folder as one workbook, a workbook as a CSV folder) and ``orlib`` (an OR-Library or Holmberg
instance as a CSV folder).

``run_init`` and ``run_orlib`` return plain values, ``(JSON data, terminal text)``, which the
command line turns into its outcome; errors are the library's exceptions.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_args import path_text, positive
from .cli_paths import check_paths, writing
from .exceptions import ResilientSCError, ValidationError
from .schema import ORLIB_FORMATS

if TYPE_CHECKING:
    from .data import Network

Result = tuple[dict[str, Any], str]


def load_network(path: Path) -> Network:
    """The validated network at ``path`` (DataWarnings are reported by the command line); a
    workbook the reader cannot open is a clean :class:`ValidationError` naming it."""
    from .data import read_network

    try:
        return read_network(path)
    except Exception as exc:  # a damaged workbook the reader let through
        if isinstance(exc, ResilientSCError | OSError) or not path.is_file():
            raise
        raise ValidationError([f"({path.name}) | cannot read it as a workbook ({type(exc).__name__}: "
                               f"{str(exc)[:160]}); save it from Excel as .xlsx"]) from exc


def add_force_option(parser: argparse.ArgumentParser, what: str = "an existing output folder") -> None:
    parser.add_argument("--force", action="store_true",
                        help=f"replace {what} (as a whole; never one holding other files)")


# ---- init -------------------------------------------------------------------------------
def configure_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="DIR", type=path_text,
                        help="folder to create, or a workbook path ending in .xlsx")
    parser.add_argument("--xlsx", action="store_true",
                        help="write one .xlsx workbook (a sheet per table and a README sheet; as a DIR "
                             "ending in .xlsx does)")
    parser.add_argument("--from", dest="data", metavar="DATA", type=path_text,
                        help="write DATA's own tables, validated, instead of the example rows: a CSV "
                             "folder as a workbook (DIR ending in .xlsx), a workbook as a CSV folder "
                             "(defaults written out, demand rows of 0 left out: they change nothing)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing workbook or replace a non-empty folder (as a whole; "
                             "never one holding other files than CSV and Markdown)")


def run_init(args: argparse.Namespace) -> Result:
    """Write the template (or DATA's tables, ``--from``) to DIR: ``(JSON data, text)``."""
    from .schema import TABLES
    from .template import TEMPLATE_SUFFIXES, write_template

    xlsx = args.xlsx or args.target.suffix.lower() == ".xlsx"
    check_paths(args, args.target, folder=not xlsx, option="init", workbook=True, network=True,
                replaceable=TEMPLATE_SUFFIXES)
    if xlsx and args.target.is_file() and not args.force:
        raise ValidationError([f"(init) | {args.target} already exists; pass --force to overwrite it"],
                              "with the output paths")
    network = load_network(args.data) if args.data is not None else None
    frames = None if network is None else {
        name: df for name, df in network.frames().items() if xlsx or TABLES[name].required or len(df)}
    try:
        with writing(args.target, "init"):
            path = write_template(args.target, xlsx=args.xlsx, force=args.force, flag="--force",
                                  frames=frames)
    except ValidationError:
        raise
    except ValueError as exc:  # --xlsx with a path not ending in .xlsx
        raise ValidationError([f"(init) | {exc}"]) from exc
    what = "workbook" if path.suffix.lower() == ".xlsx" else (
        "folder (one CSV per table + README.md)" if network is None else "folder (one CSV per table)")
    data = {"status": "written", "out": str(path), "tables": list(TABLES if frames is None else frames)}
    if network is None:
        return data, (f"wrote an input template {what} to {path}: a tiny valid network to replace with "
                      f"your data\nnext: resilient-sc validate {path}")
    return ({**data, "network": repr(network)},
            f"wrote {network!r} from {args.data} as a {what} to {path}\nnext: resilient-sc validate {path}")


# ---- orlib ------------------------------------------------------------------------------
def configure_orlib(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=path_text,
                        help="an OR-Library cap*.txt file or a Holmberg p* file")
    parser.add_argument("--capacity", metavar="C", type=positive,
                        help="hub capacity, in the file's demand units, for the capa/capb/capc files, which "
                             "leave it open (refused for files that give their own)")
    parser.add_argument("--format", choices=ORLIB_FORMATS, help="the file's layout (default: from its name, "
                        "cap* OR-Library, p<number> Holmberg)")
    parser.add_argument("--out", metavar="DIR", type=path_text, required=True,
                        help="folder to write the network's CSV files into")
    add_force_option(parser, "an existing network folder")


def run_orlib(args: argparse.Namespace) -> Result:
    """Convert FILE into a CSV data folder at ``--out``: ``(JSON data, text)``."""
    from .io import write_network
    from .orlib import read_instance
    from .schema import TABLES

    path: Path = args.file
    if path.is_dir() or not path.exists():  # a FIFO or a device: the reader says which
        what = "a folder: give an OR-Library cap*.txt or Holmberg p* file" if path.is_dir() else \
            "no such file"
        raise ValidationError([f"({path}) | {what}"])
    check_paths(args, args.out, folder=True, network=True)
    try:
        instance = read_instance(path, args.capacity, args.format)
    except ValidationError:
        raise
    except (ValueError, IndexError) as exc:
        raise ValidationError([f"({path.name}) | not an OR-Library or Holmberg instance: {exc}"]) from exc
    network = instance.to_network()
    frames = {name: df for name, df in network.frames().items() if TABLES[name].required or len(df)}
    with writing(args.out):
        write_network(frames, args.out, force=args.force, flag="--force")
    return ({"status": "written", "network": repr(network), "out": str(args.out),
             "tables": list(frames), "single_source": instance.single_source},
            f"wrote {network!r} to {args.out} ({len(frames)} CSV files)" + (
                "; a single-source instance: solve it with a policy of single_sourcing: true "
                "for its published optimum" if instance.single_source else ""))
