"""Strong links on demand (:mod:`resilient_sc.solvers.links`): the ``hub_link`` rows left out
are not needed by the LP relaxation (its bound is the whole relaxation's, checked by an
independent LP) and not by any whole design (the optimum is plain HiGHS's on the model as built)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp

from resilient_sc import Policy, SolveOptions, examples, solve
from resilient_sc.model.build import build_model
from resilient_sc.solvers import aggregate, links, projection
from resilient_sc.solvers.base import AccelerateOptions

from .random_networks import random_network

ONE = SolveOptions(threads=1)
PLAIN = SolveOptions(threads=1, accelerate=False)


def _lp_bound(lm, rows: np.ndarray) -> float:
    """The LP relaxation of ``lm`` with only ``rows`` (a bool mask), by scipy's linprog."""
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    return _lp(sp.csr_matrix(lm.matrix())[rows], lm.objective(), col_lo, col_up, row_lo[rows], row_up[rows])


def _lp(a, cost, col_lo, col_up, lo, up) -> float:
    """min cost·x, lo ≤ a x ≤ up, col_lo ≤ x ≤ col_up, by scipy's linprog."""
    fin_up, fin_lo = np.isfinite(up), np.isfinite(lo)
    a_ub = sp.vstack([a[fin_up], -a[fin_lo]]).tocsr()
    b_ub = np.concatenate([up[fin_up], -lo[fin_lo]])
    res = scipy.optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=np.c_[col_lo, col_up], method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@pytest.mark.parametrize("policy", [Policy(), Policy(min_local_share=0.5),
                                    Policy(shortfall_penalty=50.0)])
def test_the_kept_links_give_the_whole_lp_bound(policy):
    lm = build_model(examples.electronics(), policy).lm
    rows = links.link_rows(lm)
    keep, note = links.needed_rows(lm, rows, ONE, np.inf)
    kept = int(keep[rows].sum())
    assert 0 < kept < len(rows)  # some links are needed, most are not
    assert keep[np.setdiff1d(np.arange(lm.n_rows), rows)].all()  # every other row stays
    assert f"{kept:,} of {len(rows):,}" in note
    whole = _lp_bound(lm, np.ones(lm.n_rows, bool))
    assert _lp_bound(lm, keep) == pytest.approx(whole, rel=1e-7)
    without = np.ones(lm.n_rows, bool)
    without[rows] = False
    assert _lp_bound(lm, without) < whole * (1 - 1e-4)  # the links do tighten it


def test_remembered_rounds_start_from_the_links_found_before():
    """Within ``links.remembered()`` a second model with the same link rows (here a lazy-caps
    master with more rows: a country cap) adds the first's links after its first LP: three LP
    rounds where it takes six alone, and still the whole LP bound of the second; outside it,
    the rounds start from none again."""
    net = random_network(8)
    lm = build_model(net, Policy(min_local_share=0.5)).lm
    capped = build_model(net, Policy(min_local_share=0.5, max_country_share=0.6)).lm
    rows, capped_rows = links.link_rows(lm), links.link_rows(capped)
    assert len(rows) == len(capped_rows)
    alone = links.needed_rows(capped, capped_rows, ONE, np.inf)[1]
    assert alone.endswith("10 of 20 in the model, found by 6 LP rounds")
    with links.remembered():
        links.needed_rows(lm, rows, ONE, np.inf)
        keep, note = links.needed_rows(capped, capped_rows, ONE, np.inf)
    assert note.endswith("11 of 20 in the model, found by 3 LP rounds")
    assert _lp_bound(capped, keep) == pytest.approx(_lp_bound(capped, np.ones(capped.n_rows, bool)), rel=1e-7)
    assert links.needed_rows(capped, capped_rows, ONE, np.inf)[1] == alone  # forgotten outside


def test_settled_takes_the_links_remembered_without_lp_rounds(monkeypatch):
    """Within ``links.settled()`` a model takes the links remembered as they are: no LP is
    solved (here any would fail the test); without a memory the rounds run as ever."""
    net = random_network(8)
    lm = build_model(net, Policy(min_local_share=0.5)).lm
    capped = build_model(net, Policy(min_local_share=0.5, max_country_share=0.6)).lm
    rows, capped_rows = links.link_rows(lm), links.link_rows(capped)
    with links.settled():
        assert links.needed_rows(capped, capped_rows, ONE, np.inf)[1].endswith("found by 6 LP rounds")
        with links.remembered():
            first, _ = links.needed_rows(lm, rows, ONE, np.inf)
            monkeypatch.setattr(links, "run_highs", None)  # no LP from here on
            keep, note = links.needed_rows(capped, capped_rows, ONE, np.inf)
    assert (keep[capped_rows] == first[rows]).all()
    assert keep[np.setdiff1d(np.arange(capped.n_rows), capped_rows)].all()  # every other row stays
    assert note.endswith("as the model before needed them (no LP rounds for the last master)")


def test_rounds_out_of_time_keep_the_links_remembered(monkeypatch):
    """Rounds that do not end (here none may run) keep the links remembered from the model before,
    not every link; without a memory, every link (None)."""
    lm = build_model(examples.electronics(), Policy(min_local_share=0.5)).lm
    rows = links.link_rows(lm)
    with links.remembered():
        first, _ = links.needed_rows(lm, rows, ONE, np.inf)
        monkeypatch.setattr(links, "ROUNDS", 0)
        keep, note = links.needed_rows(lm, rows, ONE, np.inf)
    assert (keep == first).all() and "as the model before needed them" in note
    assert links.needed_rows(lm, rows, ONE, np.inf) is None  # no round ran: nothing found, every link


def test_rounds_cut_short_without_a_memory_keep_the_links_found_so_far(monkeypatch):
    """Rounds cut short with no master before kept every link: ladder XL base at 180 s had no plan
    with its 302,967 links, and one at gap 0.15% with the 5,760 found (large-inputs audit)."""
    lm = build_model(examples.electronics(), Policy(min_local_share=0.5)).lm
    rows = links.link_rows(lm)
    monkeypatch.setattr(links, "ROUNDS", 1)  # one LP, then out of rounds: as out of time
    keep, note = links.needed_rows(lm, rows, ONE, np.inf)
    assert 0 < keep[rows].sum() < len(rows) and keep[np.setdiff1d(np.arange(lm.n_rows), rows)].all()
    assert note == (f"strong links: {keep[rows].sum():,} of {len(rows):,} in the model, those its rounds "
                    "found (its LP rounds not ended in their time or number)")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("policy", [Policy(), Policy(co2_price=0.05), Policy(shortfall_penalty=1e3),
                                    Policy(single_sourcing=True, shortfall_penalty=1e4)])
def test_same_optimum_as_the_whole_model(seed, policy):
    net = random_network(seed)
    fast = solve(net, policy, ONE)
    assert fast.report.route in {"strong-links", "merged-origins"}
    assert "strong links:" in fast.report.note
    assert fast.objective == pytest.approx(solve(net, policy, PLAIN).objective, rel=1e-6)


def test_single_sourcing_keeps_the_links_its_projected_lp_needs():
    """The projected model (flows substituted out) with only the links its LP relaxation
    needs has that relaxation's bound."""
    model = build_model(examples.electronics(), Policy(single_sourcing=True))
    model = dataclasses.replace(model, lm=aggregate.recognise(model.lm).lm)  # origins merged, as solved
    whole = projection._project(model, projection.recognise(model))
    kept, note = projection._links_on_demand(model, whole, ONE, np.inf)
    assert kept.a.shape[0] < whole.a.shape[0] and "strong links:" in note
    def bound(p):
        return _lp(p.a, p.cost, p.col_lo, p.col_up, p.row_lo, p.row_up)
    assert bound(kept) == pytest.approx(bound(whole), rel=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_single_sourcing_has_the_whole_models_optimum(seed):
    net, policy = random_network(seed), Policy(single_sourcing=True)
    fast = solve(net, policy, ONE)
    assert "by projected" in fast.report.note or fast.report.route == "projected"
    assert "strong links:" in fast.report.note
    assert fast.objective == pytest.approx(solve(net, policy, PLAIN).objective, rel=1e-6)


def test_the_option_turns_it_off():
    off = SolveOptions(threads=1, accelerate_options=AccelerateOptions(links_on_demand_coefficients=0))
    plan = solve(examples.electronics(), None, off)
    assert "strong links" not in plan.report.note
    assert plan.objective == pytest.approx(solve(examples.electronics(), None, ONE).objective, rel=1e-6)


def test_rounds_that_do_not_end_keep_the_links_found_and_the_optimum(monkeypatch):
    monkeypatch.setattr(links, "ROUNDS", 1)  # one LP round: the links it breaks are never re-checked
    plan = solve(examples.electronics(), None, ONE)
    assert "those its rounds found" in plan.report.note
    assert plan.objective == pytest.approx(solve(examples.electronics(), None, PLAIN).objective, rel=1e-6)
