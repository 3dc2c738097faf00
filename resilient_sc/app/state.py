"""What one browser tab holds (:class:`Session`): its data, policy, plans and named scenarios.

A session is created per page visit (per tab), never shared: two tabs never see each other's
scenarios. Plain Python, no web framework: the pages read and change it, the tests drive it.

>>> s = Session.example()
>>> s.network
Network(22 suppliers, 8 hubs, 25 markets, 3 products, 13 countries)
>>> sorted(s.countries())[:3]
['BR', 'CA', 'CN']
>>> r = Session.roadmap_example()
>>> r.is_roadmap, r.period_ids(), sorted(r.policy.to_dict())
(True, ['2026', '2027', '2028', '2029', '2030'], ['max_country_share', 'min_local_share'])
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import socket
import stat
import tempfile
import threading
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..data import Network, read_network
from ..examples import electronics, electronics_roadmap, electronics_roadmap_path, tiny
from ..exceptions import ValidationError
from ..periods import has_periods
from ..policy import Policy
from ..results import Plan
from ..roadmap import Roadmap
from ..schema import TABLES
from .jobs import Job

#: ``(table, row N 'id') | message`` as the library writes each problem (exceptions.ValidationError)
_PROBLEM = re.compile(r"^\((?P<table>[^,)]+)(?:, row (?P<row>\d+)(?: '(?P<id>.*?)')?)?\) \| (?P<message>.*)$",
                      re.DOTALL)
#: the sources of the bundled examples as the data page names them
EXAMPLE, ROADMAP_EXAMPLE = "bundled example (electronics)", "bundled roadmap example (electronics 2026–2030)"
#: what the data's name says once edited in the grids: not the file or example as it is on disk
EDITED = ", edited in the grids"
#: the glide path of the roadmap example (its ``policy.yaml``), for an installed package without the folder
GLIDE_PATH = Policy(max_country_share={"2027": 0.6, "2028": 0.4, "2029": 0.4, "2030": 0.4},
                    min_local_share={"2028": 0.3, "2029": 0.4, "2030": 0.5})
#: the folder of one app process's downloads (``<prefix><pid>-…`` in the temporary folder),
#: and the file in it that says whose it is (``<pid> <host>``)
FOLDER_PREFIX, OWNER = "resilient_sc-app-", ".owner"
_process_folder: Path | None = None
_FOLDERS = threading.Lock()  # one process folder, one folder per tab, whatever thread asks first


#: the sessions of the process's open tabs (their jobs stopped when the server shuts down)
_LIVE: weakref.WeakSet[Session] = weakref.WeakSet()


def stop_every_job() -> None:
    """Stop the jobs of every open tab: the server is shutting down (Ctrl-C, SIGTERM), and a
    solve running waited for its end (38 s on a large network) before the server could stop."""
    for session in list(_LIVE):
        session.stop_jobs()


def process_folder() -> Path:
    """This process's folder for its tabs' downloads, made on first use and removed when the
    process exits (``atexit``: a Ctrl-C'd server too, whose open tabs are never closed); one a
    killed server left is removed by the next (:func:`remove_stale_folders`)."""
    global _process_folder
    with _FOLDERS:
        if _process_folder is None or not _process_folder.is_dir():
            _process_folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
            (_process_folder / OWNER).write_text(f"{os.getpid()} {socket.gethostname()}")
            atexit.register(shutil.rmtree, _process_folder, True)
        return _process_folder


def remove_stale_folders(root: Path | None = None) -> list[Path]:
    """Remove the download folders of app processes no longer running (killed, so their
    ``atexit`` never ran): those of this user in ``root`` (the temporary folder) whose
    :data:`OWNER` file names this host and the pid of no process (a folder without it, or of
    another host sharing the folder, is never touched); the folders removed.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for pid, host in ((os.getpid(), socket.gethostname()), (999999999, socket.gethostname()),
    ...                   (999999999, "another-host")):
    ...     folder = root / f"{FOLDER_PREFIX}{pid}-{host}"
    ...     folder.mkdir()
    ...     _ = (folder / OWNER).write_text(f"{pid} {host}")
    >>> (root / f"{FOLDER_PREFIX}2024-backup").mkdir()  # a folder of the user's own
    >>> [p.name == f"{FOLDER_PREFIX}999999999-{socket.gethostname()}" for p in remove_stale_folders(root)]
    [True]
    >>> len(list(root.iterdir()))
    3
    """
    removed: list[Path] = []
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return removed
    for folder in sorted(Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*")):
        with contextlib.suppress(OSError, ValueError):
            owner = folder / OWNER  # this user's folder and a regular file first: any local user may put
            if folder.stat().st_uid != os.getuid() or not stat.S_ISREG(owner.lstat().st_mode):  # a named
                continue  # pipe there, and the server waited for a writer before it listened (audit)
            with owner.open("rb") as fh:
                pid, host = fh.read(200).decode("utf-8", "replace").split(" ", 1)
            if host != socket.gethostname() or _running(int(pid)):
                continue
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:  # another user's process
        return True
    except (ProcessLookupError, OverflowError):  # no such process; a number no pid can be
        return False
    return True


@dataclass
class Scenario:
    """A named policy and its plan (None: infeasible or not solved; ``reason`` says why), and
    the stress test of its design once run; for data with periods its ``roadmap`` instead of a
    plan (and the stress tests of each period's design)."""

    name: str
    policy: Policy
    plan: Plan | None
    reason: str = ""
    stress: Any = None
    roadmap: Roadmap | None = None


@functools.cache
def _placeholder() -> Network:
    """The network a closed tab's session holds: one for all of them (a tiny network of its own per
    closed tab, 160 KB each, was kept with the session by the web framework's caches: audit)."""
    return tiny()


@dataclass(eq=False)  # a tab is itself, compared and hashed by identity (the set of open tabs)
class Session:
    """The state of one tab: the network and its editable tables, the policy being edited, the
    plan of the last solve, the named scenarios (the first solved one is the base of the
    premiums) and the last stress test. Data with a ``periods`` table is a roadmap: its solves
    give ``roadmap`` (``plan`` stays None) and ``period`` is the period whose plan is shown.
    Downloads are written in ``workdir``, a temporary folder of the session's own (made on first
    use, in :func:`process_folder`), never next to the user's inputs."""

    network: Network
    source: str
    frames: dict[str, pd.DataFrame]
    policy: Policy = field(default_factory=Policy)
    plan: Plan | None = None
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    stress: Any = None
    frontier: Any = None  # the last frontier: (field, its table, what it is conditional on)
    roadmap: Roadmap | None = None
    period: str = ""
    #: how the last solve ended (``ok``, ``stopped``, ``infeasible``, …; empty: none yet)
    last_solve: str = ""
    #: values typed on the policy page that are not used (out of range): nothing is solved until corrected
    policy_problems: list[str] = field(default_factory=list)
    #: the last edit of the data grids not yet in use (empty: none): nothing is solved until used
    pending_edits: str = ""
    _workdir: Path | None = field(default=None, repr=False)
    #: the tab's solves, stress tests and frontiers running, each in a process of its own
    #: (each job → what it is, for :meth:`stop_jobs`)
    jobs: dict[Job, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _LIVE.add(self)

    @property
    def workdir(self) -> Path:
        """The tab's downloads folder, made on first use (a tab that downloads nothing leaves none)."""
        if self._workdir is None:
            folder = process_folder()
            with _FOLDERS:
                self._workdir = self._workdir or Path(tempfile.mkdtemp(prefix="tab-", dir=folder))
        return self._workdir

    @classmethod
    def example(cls) -> Session:
        """The bundled electronics example."""
        return cls.of(electronics(), EXAMPLE)

    @classmethod
    def roadmap_example(cls) -> Session:
        """The bundled electronics roadmap (2026–2030) with its glide path as the policy."""
        session = cls.of(electronics_roadmap(), ROADMAP_EXAMPLE)
        session.policy = glide_path()
        return session

    @classmethod
    def open(cls, path: str | Path | None) -> Session:
        """The network at ``path`` (a CSV folder or an .xlsx workbook); the example for None."""
        if path is None:
            return cls.example()
        return cls.of(read_network(path), str(path))

    @classmethod
    def of(cls, network: Network, source: str) -> Session:
        return cls(network=network, source=source, frames=network.frames())

    def replace_network(self, network: Network, source: str) -> str:
        """New data: plans, scenarios and the stress test of the old data no longer apply; the
        policy is kept without the names the new data does not have (:meth:`Policy.fitted`:
        a glide path's period keys, a country excluded): what was left out, for the page (empty:
        nothing), so that no part of the policy is kept where its page cannot show it."""
        self.network, self.source, self.frames = network, source, network.frames()
        self.plan, self.stress, self.scenarios, self.frontier = None, None, {}, None
        self.roadmap, self.period, self.last_solve, self.pending_edits = None, "", "", ""
        self.policy, left_out = self.policy.fitted(network)
        return f"the policy did not fit the new data: {'; '.join(left_out)}" if left_out else ""

    def open_example(self, roadmap: bool) -> str:
        """Use the bundled example (``roadmap``: the roadmap example and its glide path as the
        policy; else the one-period example, the policy kept without what does not fit it);
        what was done, for the page."""
        if roadmap:
            self.replace_network(electronics_roadmap(), ROADMAP_EXAMPLE)
            self.policy = glide_path()
            return f"{ROADMAP_EXAMPLE}: the policy is its glide path (policy.yaml)"
        left_out = self.replace_network(electronics(), EXAMPLE)
        return f"{EXAMPLE}; {left_out}" if left_out else EXAMPLE

    def start(self, fn: Callable[..., Any], args: list[Any], what: str = "") -> Job:
        """``fn(*args)`` in a process of its own (:class:`~.jobs.Job`), stopped with the tab
        (:meth:`close`); :meth:`ended` once its result is in. ``what`` names it for
        :meth:`stop_jobs` (``stress``: of the current design, stopped by a new solve)."""
        job = Job(fn, args)
        self.jobs[job] = what
        return job

    def ended(self, job: Job) -> None:
        self.jobs.pop(job, None)

    def stop_jobs(self, what: str | None = None) -> None:
        """Stop every job of the tab, or those started as ``what`` (their handlers get
        ``("stopped", "")``)."""
        for job, kind in list(self.jobs.items()):
            if what is None or kind == what:
                job.stop()

    def close(self) -> None:
        """The tab is gone (closed, reloaded, or its connection lost past the reconnect window):
        its jobs are stopped, never left solving for no one, its downloads folder removed, and
        its data, plans and scenarios let go (the web framework's caches may keep the session
        itself, through a page's handlers: 30 closed tabs kept 30 networks and plans)."""
        self.stop_jobs()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self.frames, self.scenarios, self.jobs = {}, {}, {}
        self.plan = self.stress = self.frontier = self.roadmap = None
        self.network = _placeholder()  # nothing reads it once the tab is gone

    @property
    def is_roadmap(self) -> bool:
        """True when the data has a ``periods`` table: solves give roadmaps."""
        return has_periods(self.network)

    def period_ids(self) -> list[str]:
        return [str(p) for p in self.network.periods["period"]]

    def countries(self) -> list[str]:
        return [str(c) for c in self.network.countries["country"]]

    def apply_edits(self) -> str:
        """Validate the edited tables (:meth:`Network.from_frames`) and use them (what
        :meth:`replace_network` says); a :class:`ValidationError` leaves the session as it was."""
        source = self.source if self.source.endswith(EDITED) else self.source + EDITED
        network = Network.from_frames(source=source, **cleaned(self.frames))
        return self.replace_network(network, source)

    def solve_refusal(self) -> str:
        """Why a solve would mislead, for the page to refuse it (empty: nothing): a policy value to
        correct, or edits of the data not in use (a solve of the data as last validated read as
        the edited data's: the same cost, a 0.00% premium)."""
        if self.policy_problems:
            return "the policy has a value to correct (step 2): " + "; ".join(self.policy_problems)
        if self.pending_edits:
            return (f"the data has edits not in use (last: {self.pending_edits}): click Use edits (step 1) "
                    "to validate and use them, or open the data again to drop them")
        return ""

    def no_plan(self) -> str:
        """Why there is no current plan (for the stress test and the exports to say).

        >>> s = Session.example()
        >>> s.no_plan()
        'no policy solved yet'
        >>> s.last_solve = "stopped"
        >>> s.no_plan()
        'the last solve was stopped before it found a plan'
        >>> s.last_solve = "infeasible"
        >>> s.no_plan()
        'the last solve found no plan (its policy is infeasible)'
        """
        if self.last_solve == "stopped":
            return "the last solve was stopped before it found a plan"
        if self.last_solve in ("infeasible", "invalid"):
            return f"the last solve found no plan (its policy is {self.last_solve})"
        return "no policy solved yet"

    def free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``, … when a scenario has it already.

        >>> s = Session.example()
        >>> _ = s.add_scenario("base", Policy(), None)
        >>> s.free_name("base"), s.free_name("local")
        ('base (2)', 'local')
        """
        if name not in self.scenarios:
            return name
        n = 2
        while f"{name} ({n})" in self.scenarios:
            n += 1
        return f"{name} ({n})"

    def add_scenario(self, name: str, policy: Policy, plan: Plan | None, reason: str = "",
                     roadmap: Roadmap | None = None) -> Scenario:
        """A new scenario, never replacing one: a name taken gets a number (:meth:`free_name`);
        the scenario's ``name`` is the one it got."""
        name = self.free_name(name)
        self.scenarios[name] = Scenario(name, policy, plan, reason, roadmap=roadmap)
        return self.scenarios[name]

    def set_stress(self, stress: Any) -> None:
        """The stress test of the current plan, kept with the scenarios that hold that plan."""
        self.stress = stress
        for s in self.scenarios.values():
            if s.plan is not None and s.plan is self.plan:
                s.stress = stress

    def base_scenario(self) -> Scenario | None:
        """The scenario premiums are measured against: the base policy's, else the first; for
        roadmaps only the cost-optimal path (the base policy's roadmap)."""
        if self.is_roadmap:
            return next((s for s in self.scenarios.values() if s.roadmap is not None and s.policy.is_base),
                        None)
        solved = [s for s in self.scenarios.values() if s.plan is not None]
        bases = [s for s in solved if s.policy.is_base]
        return (bases or solved or [None])[0]


#: the zero-width non-joiner and joiner: part of a Persian or Indic name's spelling, not invisible junk
JOINERS = "\u200c\u200d"
#: the longest file name kept, in UTF-8 bytes (most file systems allow 255)
MOST_NAME_BYTES = 200


def upload_path(name: str, workdir: Path) -> Path:
    """Where an uploaded file named ``name`` is saved: under its own name (no folder; composed
    as NFC; control and format characters but the joiners (:data:`JOINERS`) and those Windows
    refuses in a name, ``<>:"|?*``, as ``_``; at most :data:`MOST_NAME_BYTES`) in a fresh folder
    of ``workdir``, so that the library's messages name the user's file as the
    user named it (``\\w`` kept no Devanagari vowel sign nor a decomposed umlaut: localisation
    audit); :func:`user_words` drops the folder.

    A name Windows keeps for a device (``con.xlsx``: written to the console) gets a ``_`` first, and
    trailing dots and spaces (which Windows drops) go.

    >>> p = upload_path("../my policy (v2)?.yaml", Path(tempfile.mkdtemp()))
    >>> p.name, p.parent.name.startswith("upload-"), upload_path("CON.xlsx. ", p.parent.parent).name
    ('my policy (v2)_.yaml', True, '_CON.xlsx')
    >>> upload_path("Stra\u00dfe \u21165 Mu\u0308ller.xlsx", p.parent.parent).name  # decomposed: composed
    'Straße №5 Müller.xlsx'
    >>> long = upload_path("供应链" * 60 + ".xlsx", p.parent.parent).name
    >>> persian = "شبکه\u200cها.xlsx"  # a zero-width non-joiner in its spelling
    >>> len(long.encode()) <= 200, long.endswith(".xlsx"), upload_path(persian, p.parent).name == persian
    (True, True, True)
    """
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    base = "".join("_" if c in '<>:"|?*' or unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") or (
        unicodedata.category(c) == "Cf" and c not in JOINERS) else c for c in name).strip(". ") or "upload"
    suffix = Path(base).suffix[:16]
    while len(base.encode("utf-8")) > MOST_NAME_BYTES:  # 120 CJK characters were 350 bytes: 'too long'
        base = base[:len(base) - len(suffix) - 1] + suffix
    if re.fullmatch(r"(?i)(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?", base):
        base = f"_{base}"
    return Path(tempfile.mkdtemp(prefix="upload-", dir=workdir)) / base


def user_words(text: str, workdir: Path) -> str:
    """``text`` without the folders of :func:`upload_path` (a message then names the file as the
    user named it)."""
    return re.sub(re.escape(str(workdir)) + r"[/\\]upload-[^/\\]+[/\\]", "", text)


def glide_path() -> Policy:
    """The roadmap example's glide path: its ``policy.yaml`` (:data:`GLIDE_PATH` without it)."""
    path = electronics_roadmap_path() / "policy.yaml"
    return Policy.from_file(path) if path.is_file() else GLIDE_PATH


def cleaned(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as edited in a grid: empty strings become missing values, empty tables dropped."""
    out = {}
    for name, df in frames.items():
        if len(df):
            out[name] = df.replace({"": None})
    return out


def problem_rows(exc: ValidationError) -> list[dict[str, Any]]:
    """The problems of ``exc`` as rows of table, row, id, column and message (the column: the
    first word of the message when it names a column of that table, the column a message names,
    or the key columns of a duplicate row).

    >>> problem_rows(ValidationError(["(lanes, row 9 'S1, H1') | duplicate of row 2 (origin, destination, "
    ...                               "product must be unique)"]))[0]["column"]
    'origin, destination, product'
    """
    rows = []
    for problem in exc.problems:
        m = _PROBLEM.match(problem)
        if m is None:
            rows.append({"table": "", "row": "", "id": "", "column": "", "message": problem})
            continue
        table, message = m["table"], m["message"]
        first = message.split(" ", 1)[0]
        column = first if table in TABLES and first in TABLES[table].names else ""
        if not column and (named := _CELL.search(message)):  # "column D 'capacity'", "column 'capacity'"
            column = named["column"]
        if not column and (key := _KEY.search(message)):  # "duplicate of row 2 (supplier must be unique)"
            column = key["columns"]
        row = m["row"] or ((line := _LINE.search(message)) and line["line"]) or ""  # a CSV's "... in line 3"
        rows.append({"table": table, "row": row, "id": m["id"] or "", "column": column, "message": message})
    return rows


_CELL = re.compile(r"\bcolumn (?:[A-Z]+ )?'(?P<column>[^']+)'")
_KEY = re.compile(r"\((?P<columns>[\w, ]+) must be unique\)")
_LINE = re.compile(r"\bline (?P<line>\d+)\b")
