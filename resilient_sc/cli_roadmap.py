"""The roadmap variants of the commands, for a network with a ``periods`` table
(docs/formulation.md §9): ``solve --out`` with the roadmap figure, ``premium`` of policy paths,
``stress`` of each period's design and the end-year ``frontier``.

Each takes the parsed arguments and the loaded network and returns plain values, ``(JSON data,
terminal text, report files written or None)``, which :mod:`resilient_sc.cli` turns into its
outcome; errors are the library's exceptions (mapped to exit codes there). ``writing(path)`` is
the caller's context manager that turns an error while writing ``path`` into one clear line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_args import FRONTIER_FAILURES, analysis_options, stress_arguments
from .exceptions import ValidationError
from .format import frame_text, not_proven_optimal

if TYPE_CHECKING:
    from .analysis.stress import StressResult
    from .data import Network
    from .policy import Policy
    from .roadmap import Roadmap

#: what a roadmap command returns: JSON data, text for stdout, the report files written
Result = tuple[dict[str, Any], str, "list[Path] | None"]
Writing = Callable[..., AbstractContextManager[None]]  # cli_paths.writing(path, results=...)
#: what each command does on a roadmap, for its ``--help``
ON_ROADMAP = {
    "solve": "a plan per period, printed as a table; --out DIR also writes roadmap.png",
    "stress": "the roadmap is solved and each period's design tested, one failure at a time in that period",
    "premium": "each policy is a path over the periods (period keys: a glide path), against the cost-optimal "
               "path",
    "frontier": "the field's target in the last period is swept, earlier periods keeping the policy's glide "
                "path (a field that takes a mapping)",
}


def save(args: argparse.Namespace, roadmap: Roadmap) -> Path:
    """``solve --out DIR``: the roadmap's folder with ``roadmap.png`` when matplotlib is
    installed, written as a whole."""
    from .analysis.roadmap_report import save_roadmap

    title = "Cost-optimal roadmap" if roadmap.policy.is_base else \
        f"Roadmap under {args.policy.name}" if args.policy is not None else "Roadmap"
    return save_roadmap(args.out, roadmap, title, force=args.force, flag="--force")


def premium(args: argparse.Namespace, network: Network, policies: dict[str, Policy], base: Policy | None,
            progress: Callable[..., Any] | None, writing: Writing) -> Result:
    """``premium`` on a roadmap: each policy path against the cost-optimal path."""
    from .analysis.roadmap import path_weighting, roadmap_outcomes, roadmap_premium_table
    from .analysis.roadmap_report import (
        premium_columns,
        premium_legend,
        reference_path,
        roadmap_premium_sentences,
        write_roadmap_premium_report,
    )
    from .io import counts_whole
    from .periods import period_ids, weights

    ids = list(period_ids(network))
    outcomes = roadmap_outcomes(network, policies, base, analysis_options(args), workers=args.workers,
                                progress=progress)
    table = roadmap_premium_table(outcomes)
    cost, design = premium_columns(table)
    text = "\n".join([f"# Premium of restructuring paths over {_span(ids)}", "", frame_text(table, cost), "",
                      frame_text(table, design), "",
                      *roadmap_premium_sentences(outcomes, table), "",
                      premium_legend(ids[-1], reference_path(outcomes[0]),
                                     path_weighting(outcomes[0].roadmap))])
    periods = [{"period": p, "weight": w} for p, w in zip(ids, weights(network), strict=True)]
    data = {"status": "ok", "periods": periods, "table": counts_whole(table).to_dict("records")}
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_roadmap_premium_report(args.out, network, outcomes, table, force=args.force,
                                                   figures=args.figures)
    return data, text, written


def stress(args: argparse.Namespace, network: Network, policy: Policy, writing: Writing) -> Result:
    """``stress`` on a roadmap: the roadmap solved, then each period's design tested one failure
    at a time in that period."""
    from .analysis.roadmap import roadmap_stress, roadmap_stress_table
    from .analysis.roadmap_report import (
        STRESS_LEGEND,
        path_title,
        roadmap_stress_sentences,
        stress_columns,
        write_roadmap_stress_report,
    )
    from .roadmap import solve_roadmap

    roadmap = solve_roadmap(network, policy, analysis_options(args))
    results = roadmap_stress(roadmap, penalty=args.penalty, **stress_arguments(args.failures))
    summary = roadmap_stress_table(results)
    text = "\n".join([f"# Stress test of {path_title(policy)}, period by period", "",
                      *roadmap_stress_sentences(roadmap, results), "",
                      frame_text(summary, stress_columns()), "",
                      STRESS_LEGEND + _prices_words(results)])
    data = {"status": "ok", "roadmap": roadmap.to_dict(), "summary": summary.to_dict("records"),
            "periods": [{"period": p, **r.to_dict()} for p, r in results.items()]}
    if reason := not_proven_optimal("the roadmap stress-tested", roadmap):
        data["reason"] = reason
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_roadmap_stress_report(args.out, network, roadmap, results, force=args.force,
                                                  figures=args.figures)
    return data, text, written


def _prices_words(results: Mapping[str, StressResult]) -> str:
    """What a unit short is priced at in each period, and, for the stress test's defaults, that
    they are no measured loss."""
    from .analysis.roadmap_report import penalties_apart
    from .output_words import DEFAULT_PRICE_WORDS, penalty_prices

    first = next(iter(results.values()), None)
    if first is None:
        return ""
    prices = "; ".join(f"{p}: {penalty_prices(r)}" for p, r in results.items())  # each in its unit
    words = (penalties_apart(results, prices)
             or f" A unit short is priced at {penalty_prices(first)}.")
    if first.priced:
        return words
    return words + (f" These are the stress test's default prices, {DEFAULT_PRICE_WORDS}: the shortfall "
                    "costs are at that price (give --penalty to use your own).")


def frontier(args: argparse.Namespace, network: Network, policy: Policy,
             progress: Callable[..., Any] | None, writing: Writing) -> Result:
    """``frontier`` on a roadmap: the field's target in the last period swept, the glide path of
    the earlier periods kept (:func:`~resilient_sc.analysis.roadmap.end_year_frontier`)."""
    from .analysis.end_year_report import (
        end_year_frontier_sentences,
        frontier_columns,
        frontier_method,
        write_end_year_frontier_report,
    )
    from .analysis.roadmap import end_year_frontier
    from .io import counts_whole
    from .periods import period_ids
    from .policy import POLICY_FIELDS

    ids = list(period_ids(network))
    last, field = ids[-1], args.field
    if args.failures is not FRONTIER_FAILURES:  # 'country' given too: it was accepted without a word
        raise ValidationError(["(--failures) | a roadmap's frontier replays no failures on its paths: leave "
                               "--failures out (stress replays them on a roadmap's designs)"])
    if not POLICY_FIELDS[field].keys:
        takes = ", ".join(k for k, row in POLICY_FIELDS.items() if row.keys)
        raise ValidationError([f"(--field) | {field} takes no mapping, so it cannot be swept as the target "
                               f"in {last}, the last period of this roadmap; sweep one of: {takes}"])
    policy.sweep(field, args.values, "--values")  # end_year_frontier() checks the points on the network
    df = end_year_frontier(network, field, args.values, policy, analysis_options(args), workers=args.workers,
                           progress=progress)
    shown = df.rename(columns={field: f"{field} {last}"})
    text = "\n".join([f"# End-year frontier of {field}: the target in {last} (the last period)", "",
                      frame_text(shown, [f"{field} {last}" if c == field else c
                                         for c in frontier_columns(df, field, last)]), "",
                      frontier_method(field, last, policy), *end_year_frontier_sentences(df, field, last)])
    data = {"status": "ok", "field": field, "period": last, "table": counts_whole(df).to_dict("records")}
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_end_year_frontier_report(args.out, df, field, last, policy, force=args.force,
                                                     figures=args.figures)
    return data, text, written


def _span(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]} ({len(ids)} periods)"
