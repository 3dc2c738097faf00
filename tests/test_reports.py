"""Figures and reports of the analyses: labelled axes, files written, the planner's sentences,
and matplotlib kept optional.

Costs of the tiny network (``examples.tiny``; see tests/test_policies.py): base S_CN alone
1260, S_FR alone 1720, both 1760 (fixed 800 + 80·12).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import solve
from resilient_sc.analysis import figures as fg
from resilient_sc.analysis import stress_test
from resilient_sc.analysis.frontier_report import write_frontier_report
from resilient_sc.analysis.report import write_premium_report, write_stress_report
from resilient_sc.schema import TABLES

from .cases import TINY_POLICIES as POLICIES


# ---- figures ------------------------------------------------------------------------------
def test_figures_have_labelled_axes(tiny_outcomes, sweep, tmp_path):
    _, outcomes, table = tiny_outcomes
    fig = fg.frontier_figure(sweep[1], "min_local_share")
    left, right = fig.axes[:2]
    assert left.get_xlabel() == "min_local_share (fraction of demand)"
    assert left.get_ylabel() == "premium over the cost of base (%)" and right.get_ylabel() == (
        "guaranteed to every market and product\nunder the worst single country failure\n"
        "replayed (% of demand)")
    assert left.get_ylim()[0] < 0 < right.get_ylim()[1] and right.get_yticks().min() == 0  # zeros level
    below = sweep[1].assign(premium_pct=-np.linspace(0.4, 0.0, len(sweep[1])))  # a looser sweep: all < 0
    low, high = fg.frontier_figure(below, "min_local_share").axes[0].get_ylim()
    assert high == pytest.approx(-low)  # zero at mid-height: the premiums were squeezed into a quarter
    over = fg.frontier_figure(sweep[1], "min_local_share", "the starting policy's design").axes[0]
    assert over.get_ylabel() == "premium over the cost of the starting policy's design (%)"
    assert fg.save_figure(fig, tmp_path / "frontier.png").read_bytes()[:4] == b"\x89PNG"

    fig = fg.premium_figure(table)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "premium over the cost of base (%)"
    assert [t.get_text() for t in ax.get_xticklabels()] == table["policy"].tolist()
    assert any("infeasible" in t.get_text() for t in ax.texts)
    feasible = table.loc[table["status"] != "infeasible", "premium_pct"]  # the table's two decimals
    assert {t.get_text().split("\n")[0] for t in ax.texts} >= {f"{p:.2f}%" for p in feasible}
    # a premium two decimals hide but beyond the solver's gap: '<0.01%', as the tables (read 0.00%: audit)
    tiny = table.assign(premium_pct=[0.0, 0.0004, *table["premium_pct"].iloc[2:]])
    assert "<0.01%" in {t.get_text().split("\n")[0] for t in fg.premium_figure(tiny).axes[0].texts}

    fig = fg.served_heatmap(outcomes[0].stress, service_level=0.8)
    assert fig.axes[0].get_ylabel() == "failure" and fig.axes[0].get_title() == "default (% of its demand)"
    assert fig._supxlabel.get_text().startswith("Markets across, failures down. 4 of 4 failures leave demand")
    assert "service level" in " ".join(t.get_text() for t in fig.axes[-1].get_yticklabels())
    svg = fg.save_figure(fig, tmp_path / "served.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "Paris" in svg
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        fg.save_figure(fig, tmp_path / "served.pdf")


def test_designs_stress_tested_at_different_prices_are_said_so(tiny_outcomes, tmp_path):
    """The app stress-tests each design at its own shortfall_penalty; its premium report said every
    one was at the stress test's default prices, those of its first design (audit)."""
    import dataclasses

    from resilient_sc import stress_test

    net, outcomes, table = tiny_outcomes
    priced = dataclasses.replace(outcomes[1], stress=stress_test(net, outcomes[1].plan, penalty=50.0))
    mixed = [outcomes[0], priced, *outcomes[2:]]
    text = (write_premium_report(tmp_path / "r", net, mixed, table)[0].parent / "report.md").read_text(
        encoding="utf-8")
    assert "The stress tests price a unit short differently (each design's section says its prices)" in text
    assert "A unit short is priced at the stress test's default" not in text
    same = (write_premium_report(tmp_path / "s", net, outcomes, table)[0].parent / "report.md").read_text(
        encoding="utf-8")
    assert "A unit short is priced at the stress test's default" in same and "differently" not in same


def test_names_the_font_cannot_draw_are_said_once():
    """Chinese names drawn as boxes gave one matplotlib warning a character (46 for one report),
    none saying the names were unreadable (audit): one warning names the characters and the cure;
    matplotlib's own, raised in the package's figures, filtered once for good (a catch_warnings
    in two threads drawing at once left its filters in force for the process: review)."""
    import warnings

    fig = fg.new_figure(3.0, 2.0)
    fig.subplots().set_title("中国 台湾 Paris")
    with warnings.catch_warnings(record=True) as caught:  # the process's filters, as a run has them
        fg.figure_bytes(fig, "png")
    assert [str(w.message) for w in caught] == [
        "(figures) | the figures' font has no glyph for 4 characters of the names (中 国 台 湾), drawn as "
        "boxes: names in that script are unreadable in the figures (the tables keep them); install a font "
        "that has them (Noto Sans CJK: Debian's fonts-noto-cjk) and set matplotlib's font.family to it"]


def test_the_served_heatmap_reads_in_greyscale(tiny_outcomes):
    """Red to blue ending in navy printed 0% served at grey 54 and 100% at 36: one dark grey, and
    the black frames of cells below the level unseen on them (audit). Lightness now rises with
    the fraction served, all of it white."""
    stress = tiny_outcomes[1][0].stress
    cmap = fg.served_heatmap(stress).axes[0].images[0].cmap
    light = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b, _ in cmap.colors]
    assert light == sorted(light) and light[-1] == 1.0 and light[0] < 0.2


def test_missing_matplotlib_names_the_extra(monkeypatch, tmp_path, tiny_outcomes):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install '\.\[plots\]' in the resilient_sc source folder"):
        fg.premium_figure(tiny_outcomes[2])
    with pytest.warns(RuntimeWarning, match="figures skipped"):
        written = write_frontier_report(tmp_path, pd.DataFrame(
            {"min_local_share": [0.0], "status": ["optimal"], "cost": [1.0], "premium_pct": [0.0]}),
            "min_local_share")
    assert [p.name for p in written] == ["frontier.csv", "report.md"]


def test_importing_the_library_does_not_import_matplotlib():
    code = ("import sys, resilient_sc, resilient_sc.cli, resilient_sc.analysis.report, "
            "resilient_sc.analysis.roadmap_report; sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---- reports ------------------------------------------------------------------------------
def test_premium_report(tiny_outcomes, tmp_path):
    net, outcomes, table = tiny_outcomes
    written = write_premium_report(tmp_path, net, outcomes, table)
    names = {p.name for p in written}
    assert {"premium.csv", "stress_failures.csv", "stress_shortfalls.csv", "premium.png",
            "report.md"} <= names
    assert not {Path(n).stem for n in names} & set(TABLES)  # never an input table's name
    assert pd.read_csv(tmp_path / "premium.csv")["policy"].tolist() == ["base", *POLICIES]
    assert set(pd.read_csv(tmp_path / "stress_failures.csv")["policy"]) == {"base", "near", "survive"}
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "near (min_local_share 0.5) costs 36.5% more than the cost-optimal base" in text
    assert "impossible (excluded_countries CN, FR) is infeasible" in text
    # its two reasons a bullet each (on lines of their own they ran together into one paragraph)
    assert "\nInfeasible:\n\n- demand: product 'default': usable suppliers can make at most 0 units" in text
    assert "\n- demand: market 'Paris' (product 'default', 80 units) cannot be served" in text
    assert "![" in text and "(premium.png)" in text
    assert all((tmp_path / n).stat().st_size > 0 for n in names)
    # every figure listed with its words, not its name alone; a heatmap says where its numbers are as text,
    # which a large one does not print (accessibility audit)
    listed = [line for line in text.splitlines() if re.match(r"- `[^`]+\.png`", line)]
    assert listed and all(": " in line for line in listed), listed
    assert ("- `served_00_base.png`: Demand served under each failure (base; every share served is in "
            "stress_shortfalls.csv)") in listed
    # the files listed with their units (they said "cost, premium, served fractions, shares")
    assert ("- `premium.csv`: one row per policy: cost, premium and network_cost (money), premium_pct and "
            "network_premium_pct (% of the base's cost), served fractions and shares (fractions, 0-1: "
            "intact_served with nothing failed, worst_served under the worst of every failure "
            "replayed, expected_value_served given what expected_conditional_on says; max_foreign_share: the "
            "largest share of one foreign country in one market's demand of one product, what "
            "max_country_share caps); expected_shortfall_cost at each design's stress test prices: by "
            "default set so that every unit the design can deliver is delivered, not an estimate of what a "
            "unit short costs") in text
    # the seconds apart: two runs of the same inputs write the same premium.csv (it held solve_time)
    assert "solve_time" not in (tmp_path / "premium.csv").read_text(encoding="utf-8").splitlines()[0]
    # with Excel's byte order mark: without it Excel opened UTF-8 (München) as Windows-1252 (MÃ¼nchen)
    assert (tmp_path / "timings.csv").read_bytes().startswith(b"\xef\xbb\xbfpolicy,solve_time\n")
    assert "- `stress_products.csv`: per policy, failure and product: demand and shortfall (units of" in text


def test_stress_and_frontier_reports(sweep, located_tiny, tmp_path):
    net = located_tiny
    plan = solve(net)
    written = write_stress_report(tmp_path / "stress", net, plan, stress_test(net, plan))
    assert [p.name for p in written] == ["stress_failures.csv", "stress_products.csv",
                                         "stress_shortfalls.csv", "stress_served.png", "network_map.png",
                                         "report.md"]
    report = (tmp_path / "stress" / "report.md").read_text(encoding="utf-8")
    assert "(network_map.png)" in report
    assert "# Stress test of the cost-optimal design (no resilience policy)" in report
    assert "Given one of the 4 single failures happening, each equally likely" in report
    written = write_frontier_report(tmp_path / "frontier", sweep[1], "min_local_share")
    text = written[-1].read_text(encoding="utf-8")
    assert "(frontier.png)" in text and "Infeasible at min_local_share = 0.75" in text
    assert "As min_local_share goes from 0 to 0.5" in text


def test_a_report_says_how_its_plans_were_solved(located_tiny, tmp_path):
    """Threads or CPUs can pick another plan of the same cost: a report folder said neither, nor
    the versions; its section says the settings its plans record (reproducibility audit)."""
    from resilient_sc import SolveOptions, __version__, frontier
    from resilient_sc.solvers.highs import highspy_version

    net = located_tiny
    for options, threads in ((SolveOptions(threads=1, seed=3), "1 thread"),
                             (SolveOptions(), "HiGHS's choice of threads on ")):
        plan = solve(net, options=options)
        folder = tmp_path / threads.split()[0]
        text = write_stress_report(folder, net, plan, stress_test(net, plan))[-1].read_text(encoding="utf-8")
        section = text.split("## How it was solved\n\n")[1].split("\n")[0]
        assert section.startswith(f"resilient_sc {__version__} with HiGHS (highspy {highspy_version()}): "
                                  f"mip_gap 1e-06, seed {options.seed}, {threads}"), section
        assert text.index("## How it was solved") < text.index("## Files")
        df = frontier(net, "min_local_share", [0.0], options=options, failures=())
        text = write_frontier_report(folder / "frontier", df,
                                     "min_local_share")[-1].read_text(encoding="utf-8")
        assert f"seed {options.seed}, {threads}" in text


def test_report_figures_drawn_by_forked_workers_are_the_bytes_drawn_here(tiny_outcomes, tmp_path,
                                                                         monkeypatch):
    """A report draws its figures in forked workers, one per CPU, where a fork is safe (the
    bundled example's premium report 6.0 -> 3.5 s on two CPUs): every file the same bytes as
    drawn in this process, and none drawn from a thread other than the main one."""
    from resilient_sc.analysis import parallel, report_kit
    from resilient_sc.solvers.base import available_cpus

    if not parallel.fork_is_safe() or available_cpus() < 2:
        pytest.skip("figures are drawn by forked workers on Linux only, from a lone main thread, 2+ CPUs")
    assert report_kit.figure_workers(9) == min(9, available_cpus()) and report_kit.figure_workers(1) == 1
    net, outcomes, table = tiny_outcomes
    used = []

    def recorded(fn, tasks, workers=None, *args, **kwargs):
        used.append(workers)
        return parallel.run_all(fn, tasks, workers, *args, **kwargs)

    monkeypatch.setattr(report_kit, "run_all", recorded)
    write_premium_report(tmp_path / "forked", net, outcomes, table)
    monkeypatch.setattr(report_kit, "figure_workers", lambda n: 1)
    write_premium_report(tmp_path / "here", net, outcomes, table)
    assert used == [2, 1]
    files = sorted(p.name for p in (tmp_path / "here").iterdir())
    stressed = sum(o.stress is not None for o in outcomes)
    assert sum(name.endswith(".png") for name in files) == 1 + stressed  # the chart, a heatmap per design
    assert files == sorted(p.name for p in (tmp_path / "forked").iterdir())
    assert all((tmp_path / "here" / n).read_bytes() == (tmp_path / "forked" / n).read_bytes() for n in files)
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(parallel.fork_is_safe()))
    thread.start()
    thread.join()
    assert outcome == [False]


def test_a_frontier_point_not_proven_optimal_gives_its_gap(sweep):
    """A point kept at its time limit (--allow-nonoptimal) is said with its status and gap, as a
    premium row is: the cost may be that fraction above the best possible."""
    from resilient_sc.analysis.frontier_report import frontier_sentences

    df = sweep[1].copy()
    ok = df.index[df["status"] != "infeasible"]
    assert "gap" in df and (df.loc[ok, "gap"] == 0).all()
    df.loc[ok[-1], ["status", "gap"]] = ["time_limit", 2.2e-5]
    said = " ".join(frontier_sentences(df, "min_local_share"))
    value = df.loc[ok[-1], "min_local_share"]
    assert (f"At min_local_share = {value:g} (time_limit, gap 0.0022%) the plan is the best found within the "
            "limits of the solve, not proven optimal") in said


def test_a_small_premium_of_a_frontier_is_not_said_to_be_none(sweep, tmp_path):
    """A premium two decimals hide but above the solver's gap read '0.00%' in a frontier's sentence
    and table (45 on 12M); it reads '<0.01%', as in the premium table's CSV and the terminal."""
    from resilient_sc.analysis.frontier_report import frontier_sentences, write_frontier_report

    df = sweep[1].copy()
    ok = df.index[df["status"] != "infeasible"]
    df.loc[ok[-1], "premium_pct"] = 0.00037
    said = " ".join(frontier_sentences(df, "min_local_share"))
    assert "to <0.01%)" in said and "to 0.00%)" not in said
    written = write_frontier_report(tmp_path / "f", df, "min_local_share", figures=False)
    report = next(p for p in written if p.name == "report.md").read_text(encoding="utf-8")
    assert "| <0.01% |" in report


def test_a_tie_with_the_base_is_no_saving(sweep):
    """Two optimal plans of the same cost can differ by 1e-9 % in the last bit: the sentences
    say 0.0%, never -0.0% or "costs 0.0% less"."""
    from resilient_sc.analysis.frontier_report import frontier_sentences
    from resilient_sc.format import pct_points
    df = sweep[1].copy()
    ok = df.index[df["status"] != "infeasible"]
    df.loc[ok[0], "premium_pct"] = -1e-9
    first = frontier_sentences(df, "min_local_share")[0]
    assert "(premium 0.00% to" in first and "-0.0" not in first
    assert pct_points(-1e-9, 1) == "0.0%" and pct_points(-0.06, 1) == "-0.1%"


def test_a_policy_that_costs_what_the_base_costs_says_the_same(tiny_outcomes):
    from resilient_sc.analysis.report import premium_sentences
    _, outcomes, table = tiny_outcomes
    tie = table.copy()
    tie.loc[1, ["premium_pct", "premium"]] = [-1e-9, -1e-8]
    said = premium_sentences(outcomes, tie)[1]
    assert "costs the same as the cost-optimal base (within 0.0005%)" in said and "less" not in said
    tie.loc[1, "premium_pct"] = 0.0143  # 3,500 of 24.5M: shown, not "the same"
    assert "costs 0.01% more than the cost-optimal base" in premium_sentences(outcomes, tie)[1]
    tie.loc[1, ["premium_pct", "premium"]] = [3e-4, 305_438.18]  # a cost of 1e11 hides it in %
    said = premium_sentences(outcomes, tie)[1]
    assert "costs 305,438.18 more than the cost-optimal base (under 0.0005%)" in said


def test_the_worst_country_named_is_the_one_ranked_worst(electronics):
    """Several country failures can leave some market with nothing (worst served 0.0%): the
    sentences then name the one of largest impact, as the stress table ranks them, not the
    first in alphabetical order (BR on the bundled network, impact 4.4 million against MX's 73.8
    million)."""
    from resilient_sc import Policy
    from resilient_sc.analysis.report import stress_sentences
    plan = solve(electronics, Policy(min_suppliers=2, min_local_share=0.5))
    stress = stress_test(electronics, plan)
    f = stress.failures
    countries = f.loc[f["failure"].str.startswith("country:")]
    tied = countries.loc[countries["worst_served"] <= countries["worst_served"].min() + 1e-9]
    assert len(tied) > 1 and tied["impact"].nunique() > 1  # the case this test is about
    expected = str(tied.loc[tied["impact"].idxmax(), "failure"])
    top = stress.ranked().iloc[0]  # a hub and its country can fail alike: the sentence says they tie
    twins = f.loc[(f["failure"] != top["failure"]) & (f["worst_served"] == top["worst_served"])
                  & (f["impact"] - top["impact"]).abs().lt(1e-6), "failure"].tolist()
    assert twins and any(s.startswith(f"The worst is {top['failure']} (tied with {', '.join(twins)}): ")
                         for s in stress_sentences(plan, stress))
    said = [s for s in stress_sentences(plan, stress) if "worst single country failure" in s]
    assert said == [f"Under the worst single country failure, {expected} (tied with {top['failure']}), some "
                    "market gets none of its demand of some product."]  # its tie said: reproducibility audit


def test_premium_sentences_name_a_base_with_a_policy_and_an_untested_base(electronics):
    """The app compares against the first scenario solved when no base policy was: its sentences
    name it rather than call it cost-optimal, and a base not stress-tested is said to be so, not
    shown as "nan%"."""
    from resilient_sc import Policy
    from resilient_sc.analysis.premium import PolicyOutcome, premium_table
    from resilient_sc.analysis.report import premium_sentences
    local, more = Policy(min_local_share=0.5), Policy(min_local_share=0.75)
    plans = {name: solve(electronics, p) for name, p in (("local", local), ("local75", more))}
    outcomes = [PolicyOutcome("local", local, plans["local"], None),
                PolicyOutcome("local75", more, plans["local75"], stress_test(electronics, plans["local75"]))]
    first, second, note = premium_sentences(outcomes, premium_table(outcomes))
    assert note == ("Each policy is solved as written, without the base's own requirements (min_local_share "
                    "0.5): a premium compares two designs, not a policy added on top of the base's.")
    assert first == f"The base 'local' (min_local_share 0.5) costs {plans['local'].objective:,.2f}."
    pct = 100 * (plans["local75"].objective / plans["local"].objective - 1)
    assert second.startswith(f"local75 (min_local_share 0.75) costs {pct:.1f}% more than the base 'local' "
                             "(min_local_share 0.5); under the worst single country failure")
    assert second.endswith("(base not stress-tested).") and "nan" not in second


def test_a_floor_short_of_everything_never_reads_100_percent():
    """A guaranteed fraction is a floor: 0.99989 reads 99.9%, never 100.0%, in the sentences and
    the tables (the format rounds served fractions down)."""
    from resilient_sc.analysis.stress import guarantee_words as _guarantee
    from resilient_sc.format import column_formatter
    assert _guarantee(0.99989) == "every market still gets at least 99.9% of its demand of every product"
    assert column_formatter("worst_served")(0.99989) == "99.9%"
    assert column_formatter("served cells")(0.80749) == "80.7%"
    assert column_formatter("local_share")(0.80751) == "80.8%"  # a share, not a floor: to the nearest


def test_each_infeasible_value_keeps_its_own_reason():
    """A frontier's infeasible values each have their own shortfall: the sentence must not give
    the first value's for all (0.95 misses 2,616 units, not 0.9's 1,652)."""
    from resilient_sc.analysis.frontier_report import frontier_sentences

    df = pd.DataFrame({"min_local_share": [0.9, 0.95, 0.97], "status": ["infeasible"] * 3,
                       "cost": [float("nan")] * 3, "reason": [
        "min_local_share: Europe needs 17,352 units (missing 1,652 units)",
        "min_local_share: Europe needs 18,316 units (missing 2,616 units)",
        "min_local_share: Europe needs 18,316 units (missing 2,616 units)"]})
    assert frontier_sentences(df, "min_local_share") == [
        "No value of min_local_share gives a feasible design.",
        "Infeasible at min_local_share = 0.9: min_local_share: Europe needs 17,352 units (missing 1,652 "
        "units).",
        "Infeasible at min_local_share = 0.95, 0.97: min_local_share: Europe needs 18,316 units (missing "
        "2,616 units)."]


# ---- plans not proven optimal, policies without a plan, and what a premium is over -------------
def _unproven(plan, gap=0.01):
    """``plan`` as the solver would return it stopped at the time limit with ``gap`` left."""
    import dataclasses

    from resilient_sc.solvers.base import Status
    return dataclasses.replace(plan, status=Status.TIME_LIMIT, gap=gap)


def test_premiums_over_a_base_not_proven_optimal_say_so(tmp_path):
    """A base stopped at the time limit is no 'cost-optimal base': its sentence, the report's
    opening and every premium over it name it the best plan found; a plan not proven optimal says
    so in its sentence and its bar; a policy stopped without a plan is 'not solved', not infeasible."""
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import PolicyOutcome, premium_table
    from resilient_sc.analysis.report import premium_sentences

    net = examples.tiny()
    base = PolicyOutcome("base", Policy(), _unproven(solve(net)), None)
    local = Policy(min_local_share=0.5)
    near = PolicyOutcome("near", local, _unproven(solve(net, local), 0.02), None)
    stopped = PolicyOutcome("n-1", Policy(survive=("country",)), None, None, "no plan: the time limit was "
                            "reached before any feasible plan was found", "not_solved")
    outcomes = [base, near, stopped]
    table = premium_table(outcomes)
    first, second, third = premium_sentences(outcomes, table)
    assert first == ("The best plan found for the base (not proven optimal: time limit, gap 1.0000%) costs "
                     "1,260.00.")
    assert second.startswith("near (min_local_share 0.5; not proven optimal: time limit, gap 2.0000%) costs "
                             "36.5% more than the best plan found for the base")
    assert third.startswith("n-1 (survive country) was not solved within the limits of the solve (no plan "
                            "kept): no plan: the time limit") and "infeasible" not in third
    report = write_premium_report(tmp_path, net, outcomes, table)[-1].read_text(encoding="utf-8")
    assert "cost-optimal base" not in report and "Infeasible" not in report
    assert "The plans of base, near are not proven optimal" in report and "Not solved: no plan" in report
    labels = [t.get_text() for t in fg.premium_figure(table).axes[0].texts]
    assert labels[0].startswith("0.00%\nnot proven optimal") and labels[2] == "not solved\n(no plan kept)"


def test_a_frontier_point_stopped_without_a_plan_is_not_solved(monkeypatch, tmp_path):
    """A point whose solve stops at the time limit without a plan is 'not_solved' with the solver's
    words, never 'infeasible'; an infeasible point keeps its reasons one per line, and the sentences
    give its first reason, not the solver's detail for experts."""
    import importlib

    from resilient_sc import Policy, examples, frontier
    from resilient_sc.analysis.frontier_report import frontier_sentences
    from resilient_sc.exceptions import NotOptimalError

    frontier_module = importlib.import_module("resilient_sc.analysis.frontier")
    solve_model = frontier_module.solve_model

    def stopped_at(model, options, start=None):
        if model.policy.min_suppliers == 2:
            raise NotOptimalError("no plan: the time limit was reached before any feasible plan was found")
        return solve_model(model, options, start)

    monkeypatch.setattr(frontier_module, "solve_model", stopped_at)
    df = frontier(examples.tiny(), "min_suppliers", [1, 2, 3], Policy(), failures=())  # 2 suppliers in all
    assert df["status"].tolist() == ["optimal", "not_solved", "infeasible"]
    said = frontier_sentences(df, "min_suppliers")
    assert said[-1] == ("Not solved within the limits (no plan kept) at min_suppliers = 2: no plan: the time "
                        "limit was reached before any feasible plan was found.")
    assert said[-2].startswith("Infeasible at min_suppliers = 3: ") and "detail for experts" not in said[-2]
    assert said[-2].endswith("more reason).") == ("\n" in df["reason"].iloc[2])
    fig = fg.frontier_figure(df, "min_suppliers")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[-2:] == ["infeasible: no premium (on the x axis)",
                           "not solved, no plan kept: no premium (on the x axis)"]
    # on the x axis, not at a premium of 0 (drawn at y 0 of the data, a 0.00% premium's place)
    marks = [line for line in fig.axes[0].lines if line.get_label().startswith(("infeasible", "not solved"))]
    assert [line.get_transform() == fig.axes[0].get_xaxis_transform() for line in marks] == [True, True]
    # not stress-tested (failures=()): no axis of blank worst-case service, and the words say so
    assert len(fig.axes) == 1 and "not stress-tested" in fig.axes[0].get_title()
    # no value with a plan: no premium axis (it ran from -0.04 to 0.04), and the figure says why
    none = fg.frontier_figure(df.iloc[1:], "min_suppliers").axes[0]
    assert len(none.get_yticks()) == 0
    assert [t.get_text() for t in none.texts] == ["no value of min_suppliers tried gives a plan"]
    folder = write_frontier_report(tmp_path / "report", df, "min_suppliers")
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "The designs are not stress-tested (no failure kind was given)." in text
    assert "worst served" not in text and [p.name for p in folder][:1] == ["frontier.csv"]
    assert "worst_served" not in pd.read_csv(tmp_path / "report" / "frontier.csv").columns


def test_a_frontier_names_its_reference_and_an_infeasible_one():
    """The premiums of a frontier are over its starting policy's design, named, and when that
    policy sets the swept field itself looser values cost less; a starting policy without a plan
    is named as the fault (and, when it sets the field swept, said to be replaced by the points)."""
    from resilient_sc import InfeasiblePolicyError, Policy, examples, frontier
    from resilient_sc.analysis.frontier_report import frontier_reference

    assert frontier_reference("min_local_share", None) == "the cost-optimal design (no resilience policy)"
    assert frontier_reference("min_local_share", Policy(min_local_share=0.5, min_suppliers=2)) == (
        "the design of the starting policy (min_suppliers 2, min_local_share 0.5), which sets "
        "min_local_share itself (values looser than 0.5 cost less: a negative premium)")
    assert frontier_reference("max_hubs", Policy(min_suppliers=2)) == (
        "the design of the starting policy (min_suppliers 2)")
    # service_level unset is 1: the reference of a sweep of it (negative premiums were unexplained)
    assert frontier_reference("service_level", Policy(survive=("country",))) == (
        "the design of the starting policy (survive country), where service_level is 1 (its value when "
        "not set: values looser than 1 cost less, a negative premium)")
    said = "the starting policy, the reference of the premiums, has no plan, so no premium can be computed"
    for policy in (Policy(excluded_countries=("FR",)), Policy(excluded_countries=("FR",), max_hubs=3)):
        with pytest.raises(InfeasiblePolicyError) as err:  # its max_hubs is no cause: no advice (review)
            frontier(examples.tiny(), "max_hubs", [1, 2], policy, failures=())
        assert err.value.reasons[0] == f"{said}; why:" and "country excluded" in err.value.reasons[1]
    # it sets the field swept, whose points replace it: they may have plans ('whatever the values of
    # max_hubs' was untrue: max_hubs 0 has no plan, 1 and 2 have; infeasibility audit)
    with pytest.raises(InfeasiblePolicyError) as err:
        frontier(examples.tiny(), "max_hubs", [1, 2], Policy(max_hubs=0), failures=())
    assert err.value.reasons[:2] == (f"{said}; it sets max_hubs 0 itself, which each point replaces: sweep "
                                     "from a starting policy without max_hubs; why:",
                                     "max_hubs 0 cannot be met: it opens no hub, and markets need 80 units "
                                     "of 'default'")
    # it leaves service_level at 1, which the points replace: no advice at all before (audit)
    with pytest.raises(InfeasiblePolicyError) as err:
        frontier(examples.tiny(), "service_level", [0.2, 0.4], Policy(survive=("country",)), failures=())
    assert err.value.reasons[0] == (f"{said}; it leaves service_level at 1, its value when not set, which "
                                    "each point replaces: set service_level in the starting policy, e.g. to "
                                    "the loosest value swept (0.2); why:")
    # set at its loosest, 0: 'values looser than 0 cost less' named values that do not exist (audit)
    assert frontier_reference("service_level", Policy(survive=("country",), service_level=0.0)) == (
        "the design of the starting policy (survive country, service_level 0), which sets service_level "
        "itself at its loosest, 0")


def test_a_network_that_sheds_demand_is_drawn_and_said_as_such():
    """A policy whose penalty is cheaper than serving: its network premium is below 0 and its
    penalty above; the penalty bar starts at 0 (stacked on a negative bar it would hide it), and
    its sentence says what it serves with nothing failed."""
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table
    from resilient_sc.analysis.report import premium_sentences

    outcomes = premium_outcomes(examples.tiny(), {"shed": Policy(shortfall_penalty=5.0)}, workers=1)
    table = premium_table(outcomes)
    assert table["network_premium_pct"].iloc[1] < 0 < table["premium_pct"].iloc[1] - table[
        "network_premium_pct"].iloc[1]
    bars = [p for p in fg.premium_figure(table).axes[0].patches if p.get_hatch() == "//"]
    assert len(bars) == 1 and bars[0].get_y() == 0.0 and bars[0].get_height() > 0
    assert "with nothing failed it already leaves demand short" in premium_sentences(outcomes, table)[1]


def test_the_report_names_the_failures_replayed(tmp_path):
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table

    net = examples.tiny()
    outcomes = premium_outcomes(net, {"near": Policy(min_local_share=0.5)}, failures=("country",), workers=1)
    report = write_premium_report(tmp_path, net, outcomes,
                                  premium_table(outcomes))[-1].read_text(encoding="utf-8")
    assert "every single failure of a country is replayed" in report and "hub or supplier" not in report


def test_names_with_dollars_are_drawn_as_written(tmp_path):
    """matplotlib reads text between two ``$`` as TeX: a policy "tariff US$ 5% / US$ 10%" failed the
    whole report after every solve (ParseException), and so did a hub named with two ``$``."""
    pytest.importorskip("matplotlib")
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table

    net = examples.tiny()
    hubs = net.table("hubs").assign(hub="H_$x$")
    lanes = net.table("lanes").replace({"H1": "H_$x$"})
    net = net.replace(hubs=hubs, lanes=lanes)
    name = "tariff US$ 5% / US$ 10%"
    outcomes = premium_outcomes(net, {name: Policy(min_local_share=0.5)}, failures=("country",), workers=1)
    written = write_premium_report(tmp_path, net, outcomes, premium_table(outcomes))
    assert {p.suffix for p in written} >= {".png", ".md"} and name in written[-1].read_text(encoding="utf-8")
    fig = fg.premium_figure(premium_table(outcomes))
    # as written, not TeX
    assert fg.save_figure(fig, tmp_path / "p.svg").read_text(encoding="utf-8").count("US$") == 2
    for layout in ("tight_layout", "get_tightbbox"):  # a user's layout measures the texts before drawing
        getattr(fg.premium_figure(premium_table(outcomes)), layout)()


def test_a_design_priced_with_a_shortfall_penalty_says_what_its_network_costs(tmp_path):
    """The design of shortfall_penalty 500 on the example (5 disruption scenarios, weight 1): its
    total cost holds the disruption-scenario term, which the report said nothing of (13.66M beside
    the base's 11.91M read as +14.6%, its network +1.6%)."""
    from resilient_sc import Policy, examples

    net = examples.electronics()
    plan = solve(net, Policy(shortfall_penalty=500.0))
    scenario = float(plan.breakdown["disruption"] + plan.breakdown.get("shortfall", 0.0))
    assert scenario > 1e6
    report = write_stress_report(tmp_path / "r", net, plan, stress_test(net, plan, failures=("country",)),
                                 figures=False)[-1].read_text(encoding="utf-8")
    assert (f"at a total cost of {plan.objective:,.2f} ({plan.breakdown['disruption']:,.2f} of disruption-"
            "scenario cost (each scenario's re-routed deliveries, weighted: ordinary deliveries counted "
            f"again, not what the disruptions add) in it: its network alone costs "
            f"{plan.objective - scenario:,.2f})") in report


def test_a_long_policy_name_is_cut_on_the_premium_figure():
    """A 300-character scenario name ran over its neighbours and collapsed the axes; the bar's
    label keeps at most 4 lines (the tables give the name whole)."""
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table

    outcomes = premium_outcomes(examples.tiny(), {"x" * 300: Policy(min_local_share=0.5)}, workers=1,
                                failures=())
    labels = [t.get_text() for t in fg.premium_figure(premium_table(outcomes)).axes[0].get_xticklabels()]
    assert labels[0] == "base" and labels[1].count("\n") == 3 and labels[1].endswith("…")


def test_a_design_that_sheds_demand_at_its_own_penalty_is_said_so_though_its_replay_serves_all():
    """Audit: at the stress test's penalties (far dearer than the policy's 60 a unit) the design
    serves everything with nothing failed, so the report said nothing of the 37% of the demand's
    value the plan itself leaves short, and its network premium (-29%) read as a saving. The
    plan's own delivery is said in the sentence, the table and the figure."""
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table, shown_columns
    from resilient_sc.analysis.report import premium_sentences
    from resilient_sc.format import served_fraction

    net = examples.electronics()
    outcomes = premium_outcomes(net, {"local_pen": Policy(min_local_share=0.5, shortfall_penalty=60)},
                                workers=1)
    table = premium_table(outcomes)
    plan, stress = outcomes[1].plan, outcomes[1].stress
    assert stress.intact["worst_served"] >= 1.0  # the replay at the stress test's penalties serves all
    value = net.products.set_index("product")["unit_value"]
    s = plan.shares
    worth = s["product"].map(value)
    by_hand = float((s["delivered"] * worth).sum() / (s["demand"] * worth).sum())
    assert by_hand < 0.7 and table["intact_served"].iloc[1] == pytest.approx(by_hand)
    assert table["intact_served"].iloc[0] == pytest.approx(1.0)
    assert "intact_served" in shown_columns(["policy", "premium_pct", "worst_served"], table)
    sentence = premium_sentences(outcomes, table)[1]
    shown = served_fraction(by_hand)  # rounded down: 63.3%
    assert (f"with nothing failed its plan delivers only {shown} of the demand's value, paying its shortfall "
            "penalty on the rest") in sentence
    assert "re-routed at the stress test's penalties its design serves 100.0%" in sentence
    texts = [t.get_text() for t in fg.premium_figure(table).axes[0].texts]
    assert any(f"delivers\n{shown} of demand" in t for t in texts)


def test_a_plan_short_of_demand_without_unit_values_is_shown_so_in_the_tables():
    """Review: with no unit values the column was NaN, so a plan delivering no chips at all was not
    flagged and its network premium of -70% read as a saving; the fraction is weighted as the
    shares are (each product alike here), and the column shown."""
    from resilient_sc import Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table, sheds_demand, shown_columns

    net = examples.electronics()
    net = net.replace(products=net.products.assign(unit_value=0.0))
    table = premium_table(premium_outcomes(net, {"shed": Policy(shortfall_penalty=60)}, workers=1))
    plan = premium_outcomes(net, {"shed": Policy(shortfall_penalty=60)}, workers=1, failures=())[1].plan
    d = plan.delivery().set_index("product")
    by_hand = float((d["delivered"] / d["demand"]).mean())  # each product weighted alike
    assert by_hand < 0.9 and table["intact_served"].iloc[1] == pytest.approx(by_hand)
    assert sheds_demand(table) and "intact_served" in shown_columns(["policy", "premium_pct"], table)


def test_a_heatmap_of_many_markets_stacks_its_product_panels(monkeypatch):
    """Side by side, three panels of 146 markets made a 24-inch strip whose names read at 2
    points on a report's page (scale audit): beyond STACKED_MARKETS they stand one above the other."""
    from resilient_sc import Policy, examples, solve, stress_test

    net = examples.electronics()
    stress = stress_test(net, solve(net, Policy(min_suppliers=2)), failures=["country"])
    monkeypatch.setattr(fg, "STACKED_MARKETS", 100)
    side = [ax for ax in fg.served_heatmap(stress).axes if ax.get_title()]
    monkeypatch.setattr(fg, "STACKED_MARKETS", 5)
    stacked = [ax for ax in fg.served_heatmap(stress).axes if ax.get_title()]
    assert len(side) == len(stacked) == 3
    assert len({round(ax.get_position().y0, 3) for ax in side}) == 1  # one row
    assert len({round(ax.get_position().x0, 3) for ax in stacked}) == 1  # one column


def test_up_to_25_countries_keep_the_categorical_colours():
    """Beyond 20 countries the palette was 24 evenly spaced hues (AS1, LA1 and NO1 one orange,
    LA2 and NO2 one yellow-green): now tab20's twenty and tab20b's five darkest, all distinct."""
    from matplotlib.colors import to_hex

    from resilient_sc.analysis.roadmap_figure import _palette

    colours = [to_hex(c) for c in _palette(25)]
    assert len(set(colours)) == 25 and colours[:20] == [to_hex(c) for c in _palette(20)]


def test_a_blank_expected_value_served_says_why(tmp_path: Path) -> None:
    """A product without unit_value leaves the demand no value to weigh: the premium table's
    expected_value_served is blank, and the words beside it said what it is, not why it is blank
    (analyses audit)."""
    from resilient_sc import DataWarning, Network, Policy, examples
    from resilient_sc.analysis.premium import premium_outcomes, premium_table
    from resilient_sc.analysis.stress import value_blank_words

    f = examples.electronics().frames()
    f["products"].loc[f["products"]["product"] == "displays", "unit_value"] = 0.0
    with pytest.warns(DataWarning):
        net = Network.from_frames(**f)
    assert value_blank_words(net) == (
        " (blank: product 'displays' has no unit_value, so the demand has no value to weigh: give every "
        "product its unit_value in the products table for this figure)")
    assert value_blank_words(examples.electronics()) == ""
    outcomes = premium_outcomes(net, {"near": Policy(min_local_share=0.5)}, failures=("country",), workers=1)
    table = premium_table(outcomes)
    assert table["expected_value_served"].isna().all()
    report = write_premium_report(tmp_path, net, outcomes, table)[-1].read_text(encoding="utf-8")
    assert value_blank_words(net) + "." in report


def test_names_from_the_data_are_no_html_links_or_images_in_a_report(tmp_path):
    """A supplier named '<img src=x onerror=alert(1)>' ran its script where report.md was viewed
    with HTML (python-markdown, many wikis), '![t](http://tracker.example/x.png)' loaded an
    outside image and a policy's name nested an image in a figure's caption; 'a\\|b' split a
    table row in two cells. The report's own tables and images stay as they were."""
    import re

    from resilient_sc import Policy, examples
    from resilient_sc.analysis import premium_outcomes, premium_table

    net = examples.tiny()
    hostile = {"S_CN": "<img src=x onerror=alert(1)>", "S_FR": "![t](http://tracker.example/x.png)"}
    tables = ("suppliers", "supplier_products", "lanes")
    net = net.replace(**{t: net.table(t).replace(hostile) for t in tables})
    named = "[p](http://tracker.example/p.png) a\\|b"
    outcomes = premium_outcomes(net, {"base": Policy(), named: Policy(min_suppliers=2)}, workers=1)
    write_premium_report(tmp_path, net, outcomes, premium_table(outcomes))
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<img" not in text and "](http" not in text and "&lt;img src=x onerror=alert(1)>" in text
    assert re.search(r"^!\[.*\]\(premium\.png\)$", text, re.MULTILINE)  # its own figure, as it was
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("| ") and "a\\\\\\|b" in line)
    cells = lambda line: len(re.split(r"(?<!\\)\|", line.replace("\\\\", "")))  # noqa: E731
    assert cells(lines[row]) == cells(lines[row - 1])  # the name's row has as many cells as the one above


def test_the_reports_own_code_spans_and_numbers_read_as_written():
    """The Markdown sanitiser turned the roadmap report's own `resilient-sc stress <data> ...` into
    '&lt;data>' (a code span shows entities as they are) and '<0.1%' into '&lt;0.1%'."""
    from resilient_sc.escaping import safe_markdown

    line = "- (`resilient-sc stress <data> --policy <path's policy file>`), a share <0.1%"
    assert safe_markdown(line) == line
    assert safe_markdown("`a` <b>x</b> `c`") == "`a` &lt;b>x&lt;/b> `c`"


def test_shortfall_costs_at_the_default_prices_say_they_are_no_measured_loss():
    """The stress test's default price of a unit short (unit_value + 10 × the dearest path) made
    'the units short cost 72,130,771.00' read as money at risk, on the terminal and in the
    report's summary; only the report's method said what the price is."""
    from resilient_sc import examples
    from resilient_sc.analysis.report import stress_sentences

    net = examples.tiny()
    plan = solve(net)
    default, given = stress_test(net, plan), stress_test(net, plan, penalty=1000.0)
    text = " ".join(stress_sentences(plan, default))
    assert ("the units short cost 11,200.00 at the stress test's default prices (140.00 per unit of default; "
            "set so that every unit the design can deliver is delivered, not an estimate of what a unit "
            "short costs)") in text
    assert "expected shortfall cost of 11,200.00 (at the default prices)" in text
    assert "re-routed flows cost 960.00 less than the design's replay with nothing failed" in text
    text = " ".join(stress_sentences(plan, given))
    assert "at the penalties given, 1,000.00 per unit of default: " in text and "default prices" not in text
    assert (default.to_dict()["penalties_given"], given.to_dict()["penalties_given"]) == (False, True)


def test_a_scenario_that_changes_nothing_for_the_design_is_named_with_its_weight(electronics):
    """la_port_strike fails H_Los_Angeles, which the cost-optimal design does not open: served in
    full at no extra cost, it still weighs 0.05 / 0.14 = 35.7% of the expected figures, which it
    lifts for no reason of the design's (roadmap audit)."""
    from resilient_sc.analysis.report import stress_sentences

    plan = solve(electronics)
    text = " ".join(stress_sentences(plan, stress_test(electronics, plan)))
    assert ("Of those, la_port_strike (H_Los_Angeles) changes nothing for this design and weighs 35.7% in "
            "these averages.") in text
    only_countries = stress_test(electronics, plan, failures=("country",), scenarios=False)
    assert "changes nothing" not in " ".join(stress_sentences(plan, only_countries))


def test_the_heatmap_frames_each_product_below_its_own_service_level():
    """service_level {cells: 0.5, chips: 0.9, displays: 0.5}: the heatmap framed every product at
    the lowest, 50%, and said 'the service level 50%', leaving 92 cells of chips below chips' 90%
    unframed (units audit)."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    from resilient_sc import Policy, examples
    from resilient_sc.analysis.stress import service_levels

    net = examples.electronics()
    plan = solve(net, Policy(survive=("hub",), service_level={"cells": 0.5, "chips": 0.9, "displays": 0.5}))
    stress = stress_test(net, plan)
    levels = service_levels(plan)
    assert levels.loc["Berlin"].to_dict() == {"cells": 0.5, "chips": 0.9, "displays": 0.5}
    fig = fg.served_heatmap(stress, "Demand served", levels)

    def frame(p: Rectangle) -> bool:  # a frame's black line (inside a white one)
        return (isinstance(p, Rectangle) and not p.get_fill() and not p.get_hatch()
                and to_hex(p.get_edgecolor()) == "#000000")

    framed = {ax.get_title().split(" ")[0]: sum(map(frame, ax.patches)) for ax in fig.axes[:-1]}
    below = {p: int((stress.served_matrix(p) < lvl - 1e-9).sum().sum())
             for p, lvl in (("cells", 0.5), ("chips", 0.9), ("displays", 0.5))}
    assert framed == below and below["chips"] > below["cells"] + below["displays"]
    assert ("Framed: below the market's own service level for the product (cells 50%, chips 90%, "
            "displays 50%)") in " ".join(fig._supxlabel.get_text().split())
    assert service_levels(solve(net, Policy(survive=("hub",), service_level=0.5))) == 0.5
    assert service_levels(solve(net, Policy(survive=("hub",), service_level=0.0))) == 0.0  # read as 1: review


def test_a_stress_report_never_singles_out_one_of_two_tied_failures():
    """Two suppliers alike (each 5 of Paris's 10 units at 1; S_C open at 2): losing either costs
    5.00 more, yet 'the dearest is supplier:S_A' and 'the worst single failure (supplier:S_A)'
    named one, by its id (reproducibility audit)."""
    from resilient_sc import Network
    from resilient_sc.analysis.report import stress_sentences

    frames = {"countries": pd.DataFrame({"country": ["FR"], "region": ["EU"]}),
              "suppliers": pd.DataFrame({"supplier": ["S_A", "S_B", "S_C"], "country": ["FR"] * 3,
                                         "status": ["candidate", "candidate", "open"],
                                         "fixed_cost": [1.0] * 3}),
              "supplier_products": pd.DataFrame({"supplier": ["S_A", "S_B", "S_C"], "capacity": [5, 5, 10],
                                                 "unit_cost": [1.0, 1.0, 2.0]}),
              "hubs": pd.DataFrame({"hub": ["H1"], "country": ["FR"]}),
              "markets": pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
              "demand": pd.DataFrame({"market": ["Paris"], "demand": [10]}),
              "lanes": pd.DataFrame({"origin": ["S_A", "S_B", "S_C", "H1"],
                                     "destination": ["H1"] * 3 + ["Paris"], "unit_cost": [1.0] * 4})}
    net = Network.from_frames(**frames)
    plan = solve(net)
    said = " ".join(stress_sentences(plan, stress_test(net, plan, ("supplier",), scenarios=False)))
    assert "the dearest is supplier:S_A (tied with supplier:S_B): its re-routed flows cost 5.00 more" in said
    assert "Under the worst single failure, supplier:S_A (tied with supplier:S_B), every market" in said
