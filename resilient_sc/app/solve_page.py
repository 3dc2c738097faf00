"""Step 3, solve: the policy solved in a process of its own (:mod:`.jobs`) with the elapsed time,
the current MIP gap and best bound (read from the HiGHS log the child writes in the session's
folder, :func:`progress_text`) and a stop button; then the plan: total cost, breakdown,
suppliers and hubs, and the network on an interactive map (offline, :mod:`.plan_view`). Data
with periods is solved as a roadmap (:mod:`.roadmap_view`). An infeasible policy shows the
library's reasons, never a traceback.

>>> money_label(11914791.2)
'11,914,791'
>>> progress_text(LOG_SAMPLE)
'gap 0.28% · best bound 11,897,435 · best plan 11,930,544'
>>> progress_text("Presolving model")
'gap —'
>>> scenario_name(Policy()), scenario_name(Policy(min_local_share=0.5, survive=("country",)))
('base', 'min_local_share=0.5 survive=country')

A time limit (seconds, blank: none) keeps the best plan found when it is reached, said not proven
optimal with its gap (:func:`unproven_words`); Stop keeps none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ValidationError
from ..format import money_label, relative_gap, settings, value
from ..optimize import LOG_ADVICE, solve
from ..policy import Policy
from ..results import NETWORK_WORDS, Plan, network_beside, network_cost
from ..roadmap import LOG_MARK, Roadmap, solve_roadmap
from ..solvers.base import SolveOptions, Status
from ..solvers.lazy import LAZY
from . import access
from .jobs import Job
from .plan_view import map_figure, show_plan, show_warnings
from .policy_page import typed_number
from .roadmap_view import cost_optimal_path, plan_premium_text, reference_caveat, show_roadmap

if TYPE_CHECKING:
    from ..data import Network
    from .state import Session

__all__ = ["LOG_SAMPLE", "ROUNDS_STOPPED", "log_progress", "map_figure", "progress_text",
           "scenario_name", "time_limit_of", "unproven_words"]


#: a progress line of HiGHS's MIP log: ``[src] nodes queue leaves expl% BestBound BestSol Gap ... time``
_PROGRESS = re.compile(r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>\S+)\s+(?P<sol>\S+)\s+"
                       r"(?P<gap>\S+)(?:\s|$)", re.MULTILINE)
#: what is read of the end of the log each time the page polls it
_TAIL = 1 << 16
#: a few lines of a HiGHS log (the columns after Gap cut), for the doctest
LOG_SAMPLE = """\
        Nodes      |    B&B Tree     |            Objective Bounds              |
Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |   Cuts
 J       0       0         0   0.00%   -inf            12757597.2         Large        0
 R       0       0         0   0.00%   11897435.23758  11930543.7         0.28%        0
"""


#: what the progress of a solve of several MIPs in turn says its figures are of
ROUNDS, ROUNDS_DONE = ("in rounds, a MIP with the failures or caps added so far or some assignments "
                       "fixed (its figures are not yet the policy's plan)",
                       "in rounds (the figures of the last round's MIP)")
#: a solve in rounds stopped: its last round's figures (a gap of 0% on a MIP with some of the
#: failures or caps) read as a plan of the policy proven optimal (app audit)
ROUNDS_STOPPED = ("stopped in rounds: the last round's MIP had only some of the failures or caps, or some "
                  "assignments fixed, so its figures are of no plan of this policy")


def outcome_text(result: Plan | Any) -> str:
    """The gap, bound and cost of a solved plan or roadmap, as :func:`progress_text` words them.

    >>> from resilient_sc import examples, solve
    >>> outcome_text(solve(examples.tiny()))
    'gap 0.0000% · best bound 1,260 · best plan 1,260'
    """
    return (f"gap {relative_gap(result.gap)} · best bound {money_label(result.bound)} · best plan "
            f"{money_label(result.objective)}")


def progress_text(log: str, rounds: bool = False, done: bool = False, stopped: bool = False) -> str:
    """The gap, best bound and best plan's cost of the last progress line of a HiGHS MIP log
    (``gap —`` before the first one). The gap is that of the MIP being solved: a solve that
    adds failures or caps in rounds (``rounds``, or several MIPs in the log) solves a few MIPs
    in turn, each with its own gap, and a round's best plan meets only the failures or caps
    added so far: it may cost less than the policy's plan, so its figures are labelled as the
    round's (``done``: the solve has ended, they are of the last round; ``stopped``: it was
    stopped, and a round's figures are left out).

    A roadmap's log marks its solves: the periods solved alone for its MIP start (no figures
    of the path's), then every period at once (the figures are of that MIP alone).

    >>> progress_text("roadmap: period 2027 solved alone, for the roadmap's MIP start\\n" + LOG_SAMPLE)
    'finding a starting path: period 2027 solved alone'
    >>> progress_text(LOG_SAMPLE + "roadmap: every period at once\\n" + LOG_SAMPLE.splitlines()[-1])
    'gap 0.28% · best bound 11,897,435 · best plan 11,930,544'
    >>> progress_text(LOG_SAMPLE, rounds=True)
    "in rounds, a MIP with the failures or caps added so far or some assignments fixed (its figures are \
not yet the policy's plan) · gap 0.28% · round's best bound 11,897,435 · round's best plan 11,930,544"
    >>> progress_text(LOG_SAMPLE, rounds=True, done=True, stopped=True) == ROUNDS_STOPPED
    True
    """
    mark = log.rfind(LOG_MARK)
    if mark >= 0:  # a roadmap: its periods solved alone for a MIP start, then every period at once
        line = log[mark + len(LOG_MARK):].split("\n", 1)[0]
        if not line.startswith("every period"):
            return f"finding a starting path: {line.partition(' solved alone')[0]} solved alone"
        log = log[mark:]
    found = None
    for found in _PROGRESS.finditer(log):  # noqa: B007 (the last one is wanted)
        continue
    rounds = rounds or log.count("Solving MIP model with") > 1
    if rounds and stopped:
        return ROUNDS_STOPPED
    if found is None:
        return f"{ROUNDS_DONE if done else ROUNDS} · gap —" if rounds else "gap —"
    gap = found["gap"].lower()
    parts = [f"gap {'large' if gap in ('large', 'inf') else found['gap']}"]
    if rounds:
        parts.insert(0, ROUNDS_DONE if done else ROUNDS)
    whose = "round's " if rounds else ""
    for label, key in ((f"{whose}best bound", "bound"), (f"{whose}best plan", "sol")):
        try:
            number = float(found[key])
        except ValueError:
            continue
        if number == number and abs(number) != float("inf"):
            parts.append(f"{label} {money_label(number)}")
    return " · ".join(parts)


def log_progress(path: Path, rounds: bool = False, done: bool = False, stopped: bool = False) -> str:
    """:func:`progress_text` of the end of the log file ``path`` (``gap —`` while there is none)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - _TAIL))
            return progress_text(f.read().decode("utf-8", "replace"), rounds, done, stopped)
    except OSError:
        return progress_text("", rounds, done, stopped)


def in_rounds(policy: Policy) -> bool:
    """Whether a solve of ``policy`` may run several MIPs in turn, each a relaxation or a
    restriction of its model: ``survive`` (failures added in rounds), the caps of
    :data:`~resilient_sc.solvers.lazy.LAZY` (added where a plan breaks them) and
    ``single_sourcing`` (markets' hubs fixed, bounded rounds). Said from the start: the first
    MIP's figures read as the policy's until a second began (its bound above the plan found
    in the end; app audit).

    >>> in_rounds(Policy(max_country_share=0.4)), in_rounds(Policy(min_local_share=0.5))
    (True, False)
    """
    return bool(policy.survive) or policy.single_sourcing or any(getattr(policy, f) is not None for f in LAZY)


def time_limit_of(typed: Any) -> tuple[float | None, str | None]:
    """The time limit typed in seconds (None: blank, no limit) and what is wrong with it in the
    library's words (None: nothing), read as text as the policy boxes are (``0,5`` refused).

    >>> time_limit_of(" 30 "), time_limit_of("")
    ((30.0, None), (None, None))
    >>> time_limit_of("0")
    (None, 'time limit: time_limit == 0.0, must be > 0 seconds')
    >>> time_limit_of("0,5")[1]
    "time limit: '0,5' is not a number; type 0.5 (with a decimal point)"
    """
    value, wrong = typed_number(typed)
    if wrong is not None:
        return None, f"time limit: {wrong}"
    if value is None:
        return None, None
    try:
        SolveOptions(time_limit=value).check()
    except ValidationError as exc:
        return None, f"time limit: {exc.problems[0].partition(' | ')[2]}"
    return value, None


#: the library's advice of an option and its flag, 'SolveOptions.time_limit (CLI: --time-limit)'
_TIME_LIMIT = re.compile(r"\S+ \(CLI: --time-limit\)")
#: 'pass SolveOptions(allow_nonoptimal=True) (CLI: --allow-nonoptimal)': the app has no such switch
_ALLOW = re.compile(r"pass \S+ \(CLI: --allow-nonoptimal\)")


def app_words(text: str, limit: float | None) -> str:
    """A library message as the app says it: its advice on the time limit names the box beside
    Solve and the limit the solve had (it named the Python option and the command line's flag,
    and the page never said a '1.000' typed had been 1 s: localisation audit), and its advice to
    accept a plan not proven optimal names the time limit, with which the app keeps such a plan.

    >>> app_words("no plan: ...; raise SolveOptions.time_limit (CLI: --time-limit)", 1.0)
    'no plan: ...; raise the time limit (s) beside Solve, 1 s in this solve'
    >>> app_words("pass SolveOptions(allow_nonoptimal=True) (CLI: --allow-nonoptimal) to accept it", None)
    'set a time limit (s) beside Solve (a solve with one keeps the best plan it finds) to accept it'

    Its advice to read the solver's log (HiGHS ended in error) says how, the app showing none:

    >>> app_words(f"no plan: HiGHS stopped (error); {LOG_ADVICE}", None)[32:]
    "see HiGHS's log: save the data (Download workbook, step 1) and the policy (Save policy, step 2), then \
run resilient-sc solve network.xlsx --policy policy.yaml --log -"
    """
    text = text.replace(LOG_ADVICE, "see HiGHS's log: save the data (Download workbook, step 1) and the "
                        "policy (Save policy, step 2), then run resilient-sc solve network.xlsx --policy "
                        "policy.yaml --log -")  # the app shows no log
    text = _ALLOW.sub("set a time limit (s) beside Solve (a solve with one keeps the best plan it finds)",
                      text)
    return _TIME_LIMIT.sub(f"the time limit (s) beside Solve, {limit:g} s in this solve" if limit
                           else "the time limit (s) beside Solve", text)


def unproven_words(result: Plan | Roadmap, limit: float | None) -> str:
    """What a plan or path kept when the time limit of ``limit`` seconds was reached is (empty for
    one proven optimal): it meets every row of the model, and costs at most its gap more than
    the best possible, cost − bound ≤ gap × cost.

    >>> from dataclasses import replace
    >>> from resilient_sc import examples, solve
    >>> plan = solve(examples.tiny())
    >>> unproven_words(plan, None)
    ''
    >>> print(unproven_words(replace(plan, status=Status.TIME_LIMIT, bound=1197.0, gap=0.05), 30))
    Not proven optimal: the solve reached its time limit of 30 s and kept the best plan found. It meets \
every constraint of the policy (checked against the whole model); the best plan possible costs at \
least 1,197 (the bound proven), so this one is at most 5.0000% of its cost too dear (its gap). \
Premiums of or over it are uncertain by that gap. Raise the time limit, or leave it blank, to prove \
it.
    """
    if result.status is Status.OPTIMAL:
        return ""
    what = "path" if isinstance(result, Roadmap) else "plan"
    limit_words = f" of {value(limit)} s" if limit is not None else ""
    meets = "It meets every constraint of the policy (checked against the whole model)"
    bound = (f"the best {what} possible costs at least {money_label(result.bound)} (the bound proven), so "
             f"this one is at most {relative_gap(result.gap)} of its cost too dear (its gap). Premiums of "
             "or over it are uncertain by that gap"
             if result.bound == result.bound and abs(result.bound) != float("inf")
             else f"no bound on the best {what}'s cost was proven, so its premiums are uncertain")
    return (f"Not proven optimal: the solve reached its time limit{limit_words} and kept the best {what} "
            f"found. {meets}; {bound}. Raise the time limit, or leave it blank, to prove it.")


def kept_outcome(kind: str, out: Any, roadmap: bool) -> tuple[str, Any]:
    """A job's outcome as the page keeps it: a plan or path that ended at the time limit and passed
    the certificate, or one proven optimal; any other that the time limit's ``allow_nonoptimal``
    let through (one breaking rows of the model, said kept and 'meeting every constraint';
    review audit) is no plan (``not_optimal``, why).

    >>> from dataclasses import replace
    >>> from resilient_sc import examples, solve
    >>> plan = solve(examples.tiny())
    >>> kept_outcome("ok", plan, False)[0], kept_outcome("ok", replace(plan, status=Status.ERROR), False)
    ('ok', ('not_optimal', 'no plan kept: the solve ended error, its best plan not proven optimal; solve \
again, without a time limit or with a longer one'))
    """
    result = out[0] if roadmap and kind == "ok" else out
    if kind != "ok" or result.status is Status.OPTIMAL or (
            result.status is Status.TIME_LIMIT and (result.report is None or result.report.certified)):
        return kind, out
    why = (f"this plan was {result.caveat}" if isinstance(result, Plan) and result.caveat else
           f"the solve ended {result.status}, its best {'path' if roadmap else 'plan'} not proven optimal")
    return "not_optimal", f"no plan kept: {why}; solve again, without a time limit or with a longer one"


def scenario_name(policy: Policy) -> str:
    """A default scenario name: the policy's fields as written (a mapping as ``key:value,…``).

    >>> scenario_name(Policy(min_local_share={"2028": 0.3, "2029": 0.4}))
    'min_local_share=2028:0.3,2029:0.4'
    """
    def text(v: Any) -> str:
        if isinstance(v, Mapping):
            return ",".join(f"{k}:{value(x)}" for k, x in v.items())
        return value(v).replace(", ", ",")

    return " ".join(f"{k}={text(v)}" for k, v in policy.to_dict().items()) or "base"


#: the name of the cost-optimal path solved with a tab's first roadmap (the base of the premiums)
BASE_PATH = "base"


def build(session: Session, on_solved: Callable[[], None]) -> tuple[Callable[[], None], Callable[[], None]]:
    """The solve panel; ``on_solved()`` is called after every solve (a new scenario); returns a
    function that resets the panel for new data, and one to call when the policy changes (the
    result shown is then marked as solved with the previous policy)."""
    from nicegui import ui

    job: list[Job | None] = [None]
    solved_with: list[Policy | None] = [None]  # the policy of the result shown
    log: list[Path] = [Path()]
    rounds = [False]  # whether the solve running adds failures in rounds
    limits: list[float | None] = [None]  # the time limit of the last solve (seconds; None: none)
    phase: list[tuple[float, str] | None] = [None]  # a roadmap's cost-optimal path: seconds before, words

    async def start() -> None:
        if job[0] is not None:  # a second click queued before the first disabled the button
            return
        if why := session.solve_refusal():  # a value out of range, or edits not in use: solving misleads
            status.text = f"not solved: {why}"
            ui.notify(status.text, type="warning")
            return
        typed = name_input.value.strip()
        if typed == BASE_PATH and not session.policy.is_base:  # the premiums are over the scenario so named
            status.text = (f"not solved: the name '{BASE_PATH}' is kept for the policy that sets no field, "
                           "which the premiums are measured against; type another name")
            ui.notify(status.text, type="warning")
            return
        if typed in session.scenarios:  # a scenario is never replaced: the planner picks another name
            status.text = (f"not solved: a scenario named '{typed}' exists already (scenarios are never "
                           "replaced); type another name, or leave it empty to name it by its policy")
            ui.notify(status.text, type="warning")
            return
        limit, wrong = time_limit_of(limit_input.value)
        if wrong:
            status.text = f"not solved: {wrong}"
            ui.notify(status.text, type="warning")
            return
        name = typed or scenario_name(session.policy)
        network, policy, roadmap = session.network, session.policy, session.is_roadmap
        session.stop_jobs("stress")  # of the design shown: its result would be discarded anyway
        log[0] = session.workdir / "solve.log"
        log[0].unlink(missing_ok=True)
        options = SolveOptions(log=str(log[0]), time_limit=limit, allow_nonoptimal=limit is not None)
        limits[0] = limit
        with_base = roadmap and not policy.is_base and session.base_scenario() is None
        running = job[0] = session.start(solve_roadmap if roadmap else solve, [network, policy, options])
        access.started(solve_button, stop_button, status)
        rounds[0] = in_rounds(policy)
        status.text = f"solving… · {progress_text('', rounds[0])}"
        timer.activate()
        client = ui.context.client
        kind, out = await running.result()
        seconds, warned = running.elapsed, list(running.warnings)
        session.ended(running)
        if client.is_deleted:  # the tab closed while it ran (its jobs were stopped): no page to draw on
            return
        if roadmap and kind == "ok":  # the path, the cost-optimal path for its premium, why none
            out = (out, None, "")
            if with_base and session.network is network and kept_outcome(kind, out, True)[0] == "ok":
                out, seconds, more = await with_cost_optimal(out, network, options, seconds)
                warned += [w for w in more if w not in warned]  # the base's too, as one job gave both
                if client.is_deleted:
                    return
        timer.deactivate()
        job[0] = None
        access.ended(solve_button, stop_button, status)
        if session.network is not network:  # new data while it ran (reset() stopped it): not of this data
            status.text = (f"discarded after {seconds:.1f} s: the data changed while it was solving, so its "
                           "result is not of the data now in use; solve again")
            return
        kind, out = kept_outcome(kind, out, roadmap)
        if kind == "not_optimal":
            out = app_words(out, limit)
        # an infeasible or invalid policy has no gap to show: the reasons below say why; a plan's
        # own figures, not the log's (a route's reduced MIP leaves out constant costs)
        progress = ("" if kind in ("infeasible", "invalid")
                    else f" · {outcome_text(out[0] if roadmap else out)}" if kind == "ok"
                    else f" · {log_progress(log[0], rounds[0], done=True, stopped=kind == 'stopped')}")
        unproven = kind == "ok" and (out[0] if roadmap else out).status is not Status.OPTIMAL
        said = ("time limit reached, best found kept" if unproven
                else {"not_optimal": "no plan", "error": "failed"}.get(kind, kind))  # 'not_optimal in 20.8 s'
        status.text = f"{said} in {seconds:.1f} s{progress}"
        kept = None
        if kind == "ok" and roadmap:
            path, base, no_base = out
            status.text += (" (and the cost-optimal path, for the premium)" if base is not None else
                            f" · no premium: the cost-optimal path (no policy) {no_base}" if no_base else "")
            if base is not None:  # 'base' is kept for the base policy: never taken by another
                session.add_scenario(BASE_PATH, Policy(), None, roadmap=base)
            session.roadmap, session.plan, session.stress = path, None, None
            kept = session.add_scenario(name, policy, None, roadmap=path)
        elif kind == "ok":
            session.plan, session.stress = out, None
            kept = session.add_scenario(name, policy, out)
        elif kind in ("infeasible", "invalid"):  # no current design: no stress test of one either
            session.plan, session.roadmap, session.stress = None, None, None
            if kind == "infeasible":  # a policy that does not fit the data is to correct, not a scenario
                kept = session.add_scenario(name, policy, None, "\n".join(out))
            else:
                status.text += " · not kept as a scenario: correct the policy (step 2) or the data (step 1)"
        else:  # stopped, or no plan: the stress test and exports must not use the plan of an earlier solve
            session.plan, session.roadmap, session.stress = None, None, None
        session.last_solve = kind
        if kept is not None and kept.name != name:  # the policy's name, solved before: numbered
            status.text += f" · kept as scenario '{kept.name}' ('{name}' is taken)"
        solved_with[0] = policy if kind in ("ok", "infeasible", "invalid") else None
        show(kind, out, warned)
        policy_changed()
        if name_input.value.strip() == typed:  # one typed while it ran: the next's (scale audit)
            name_input.value = ""
        on_solved()

    async def with_cost_optimal(out: tuple[Roadmap, None, str], network: Network, options: SolveOptions,
                                seconds: float) -> tuple[tuple[Roadmap, Roadmap | None, str], float,
                                                         list[str]]:
        """The policy's path ``out`` found in ``seconds``, with the cost-optimal path solved after it
        for the premium (a job of its own: the page says so, and Stop keeps the policy's path) or
        why it has none, the seconds of both and what the second job warned of."""
        log[0].unlink(missing_ok=True)
        phase[0] = (seconds, f"the policy's path found in {seconds:.1f} s; now the cost-optimal path (no "
                             "policy), for the premium")
        rounds[0] = False
        running = job[0] = session.start(cost_optimal_path, [network, options])
        kind, found = await running.result()
        session.ended(running)
        phase[0] = None
        base, why = None, ""
        if kind == "ok" and found[0] is not None:  # kept as the policy's path is, or said why not
            base = found[0] if (kept := kept_outcome(kind, (found[0], None, ""), True))[0] == "ok" else None
            why = "" if base is not None else f"was not kept: {kept[1]}"
        elif kind == "ok":
            why = f"has no roadmap: {found[1]}"
        else:  # each outcome in its own words (all read 'has no roadmap', an error's and a time limit's too)
            said = app_words(found if isinstance(found, str) else "; ".join(found), limits[0])
            why = {"stopped": "was stopped (Stop) before it was found",
                   "not_optimal": f"was not found within the limits: {said}"}.get(
                kind, f"could not be solved: {said}")
        return (out[0], base, why), seconds + running.elapsed, running.warnings

    def tick() -> None:
        if job[0] is not None:
            before, doing = phase[0] or (0.0, "")
            status.text = (f"solving… {before + job[0].elapsed:.1f} s · {doing + ' · ' if doing else ''}"
                           f"{log_progress(log[0], rounds[0])}")

    def stop() -> None:
        if job[0] is not None:
            job[0].stop()

    def show(kind: str, out: Any, warned: list[str]) -> None:
        result.clear()
        with result:
            if kind != "stopped":
                show_warnings(session, warned, "this solve", "solve-warnings")
            if kind in ("infeasible", "invalid"):
                title = ((f"No {'path' if session.is_roadmap else 'plan'} meets the policy")
                         if kind == "infeasible" else "The policy does not fit the data")
                access.alert(ui.label(f"{title}:").classes("text-red-700 font-bold").props(
                    "data-testid=infeasible"))
                for line in out:
                    ui.label(f"• {line}").classes("text-sm")
                return
            if kind != "ok":
                ui.label(out or "stopped: no plan").classes("text-orange-700").props("data-testid=no-plan")
                ui.label("Until the next solve there is no current plan: the stress test and the exports "
                         "have none to use; the scenarios solved before stay in Compare. (Stop keeps no "
                         "plan; a time limit, beside Solve, keeps the best plan found when it is reached.)"
                         ).classes("text-sm")
                return
            if words := unproven_words(out[0] if session.is_roadmap else out, limits[0]):
                ui.label(words).classes("text-orange-700 font-bold").props("data-testid=not-proven")
            base = session.base_scenario()
            if session.is_roadmap:
                show_roadmap(session, out[0], None if base is None else base.roadmap,
                             "" if base is None else base.name)
                return
            plan: Plan = out
            with ui.row().classes("items-baseline"):
                access.heading(ui.label(f"Total cost: {money_label(plan.objective)} (money)").classes(
                    "text-2xl font-bold").props("data-testid=total-cost"), 2)
                network = network_beside(plan.objective, network_cost(plan))
                if network is not None:  # the total is not all spent on the network
                    ui.label(f"network: {money_label(network)} (money) — {NETWORK_WORDS}").classes(
                        "text-lg").props("data-testid=network-cost")
                if base is not None and base.plan is not None and base.plan is not plan:
                    unsure = reference_caveat(base.name, base.plan)
                    premium = plan_premium_text(plan, base.plan)
                    ui.label(f"premium over {base.name}: {premium}{unsure}").classes("text-lg").props(
                        "data-testid=premium")
            show_plan(session, plan)

    with ui.row().classes("items-center"):
        name_input = ui.input("Scenario name (default: the policy)").classes("w-72").props(
            "data-testid=scenario-name")
        limit_input = ui.input("Time limit (s)", placeholder="none").classes("w-28").props(
            "data-testid=time-limit").tooltip("Seconds a solve may take (blank: until proven optimal). When "
                                              "reached, the best plan found is kept, said not proven optimal "
                                              "with its gap; Stop keeps none.")
        solve_button = ui.button("Solve", icon="play_arrow", on_click=start).props("data-testid=solve")
        # red-9: white on it reads 5.6:1 (Quasar's red, 3.7:1, is under the 4.5:1 of WCAG 1.4.3)
        stop_button = ui.button("Stop", icon="stop", color="red-9", on_click=stop).props(
            "data-testid=stop aria-label='Stop the solve'")
        stop_button.disable()
        status = access.status(ui.label().props("data-testid=solve-status"))
    hint = ui.label().classes("text-sm text-gray-700")
    stale = access.status(ui.label().classes("text-orange-700 font-bold").props("data-testid=solve-stale"))
    timer = ui.timer(0.2, tick, active=False)
    result = ui.column().classes("w-full")

    def reset() -> None:
        """New data: the result shown is of the old data, and so is a solve still running (stopped
        here; :func:`start` discards what it returns); say whether a solve is a roadmap."""
        if job[0] is not None:
            job[0].stop()
        result.clear()
        solved_with[0] = None
        stale.text = ""
        timer.deactivate()  # its ticks would write over the line below
        status.text = "" if job[0] is None else "solving… stopped: the data changed"  # not the old data's
        hint.text = ("The data has periods: a solve plans the whole path at once, each period under "
                     "the policy as it holds in that period; the first path solved also solves the "
                     "cost-optimal path, the base of the premiums." if session.is_roadmap else "")

    def policy_changed() -> None:
        """Mark the result shown when it was solved with another policy than the one now set."""
        old = solved_with[0]
        stale.text = ("" if old is None or old == session.policy else
                      f"Solved with the previous policy ({settings(old.to_dict())}), not the one now set on "
                      "step 2: solve again for it.")

    reset()
    return reset, policy_changed
