"""The stress test as step 4 shows it: the worst failures replayed on a design, what the table's
columns and costs mean, and the heatmap of each market's served share per failure and product
(:func:`resilient_sc.stress_test`; a roadmap's, one per period's design).

>>> from resilient_sc import examples, solve, stress_test
>>> net = examples.tiny()
>>> stress = stress_test(net, solve(net), failures=("supplier",))
>>> list(worst_failures(stress)["failure"])  # losing S_FR, which the plan does not use, is not listed
['supplier:S_CN']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.report import replay_sentence
from ..analysis.roadmap import not_stress_tested
from ..analysis.stress import NOTHING_FAILED, SERVED_TOL
from ..format import count, served_fraction
from ..output_words import penalty_prices
from ..wording import LABEL_CHARS
from .plan_view import plotted

if TYPE_CHECKING:
    from ..analysis.stress import StressResult
    from .state import Session

#: the stress table's columns shown
FAILURE_COLUMNS = ["failure", "worst_served", "worst_market", "worst_product", "shortfall_cost", "impact"]
#: the columns shown of the stress test of each period's design
PERIOD_STRESS_COLUMNS = ["period", "failures", "hurt", "worst_served", "worst_failure", "worst_market",
                         "worst_product"]


def served_heatmap(stress: StressResult, product: str) -> Any:
    """Plotly heatmap of one product: the share (%) of each market's demand for it that is
    served, conditional on each failure (rows) that serves some market less of it than
    nothing failed (a first row when that leaves some short: :attr:`StressResult.intact_row`);
    markets that are fully served in every row are left out and counted in the caption."""
    import plotly.graph_objects as go

    hurt = stress.worse_than_intact(product)
    own = stress.short_intact(product)
    rows = [NOTHING_FAILED, *hurt] if own else hurt
    if not rows:
        fig = go.Figure()
        n = len(stress.failures)
        fig.add_annotation(text=f"all demand for {plotted(product, 60)} is served under each of the {n} "
                                "failures replayed", showarrow=False, x=0.5, y=0.5, xref="paper",
                           yref="paper")
        fig.update_layout(height=200, title=f"{plotted(product, 60)}: share of each market's demand served, "
                                            "conditional on each failure")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return fig
    full = 100 * stress.served_matrix(product).reindex(rows)
    markets = [m for m in full.columns if (full[m] < 100 * (1 - SERVED_TOL)).any()]
    mat = full[markets]
    quiet, n = len(stress.failures) - len(hurt), len(stress.failures)
    caption = (f"first row: {stress.intact_row}, which leaves some short; {len(hurt)} of "
               f"{n} failures serve some market less {product} than that ({quiet} do not, not shown)" if own
               else f"{len(hurt)} of {n} failures leave some {product} demand short ({quiet} serve all "
               "of it, not shown)")
    hidden = int(full.notna().any().sum()) - len(markets)  # markets with demand, served in full in every row
    if hidden:
        caption += (f"; {count(hidden, 'market')} with demand for {product} served in full in every row, "
                    "not shown")
    floored = mat.map(lambda v: "no demand" if pd.isna(v) else served_fraction(v / 100))  # never overstated
    name = plotted(product)
    xs, ys = [plotted(m) for m in markets], [plotted(r) for r in rows]  # names as given, whole on hover
    fig = go.Figure(go.Heatmap(
        z=mat.to_numpy(float), x=xs, y=ys, zmin=0, zmax=100, colorscale=SERVED_SCALE, text=floored.to_numpy(),
        texttemplate="%{text}" if mat.size <= LABELLED_CELLS else None,  # the numbers, not colour alone
        colorbar={"title": {"text": f"served<br>(% of the market's<br>demand for {plotted(product, 30)})"}},
        hovertemplate=("failure %{y}<br>market %{x}<br>served %{text} of its " + name
                       + " demand<extra></extra>")))
    # the title in lines that fit a narrow figure (one line ran past it at 640 px, cut before
    # 'conditional on' at 390: app audit)
    title = lines(f"{plotted(product, 60)}: share of each market's demand served, conditional on each "
                  "failure (one at a time, flows re-routed)", 40)
    below = "<br>".join(f"<sup>{line}</sup>" for line in lines(f"{plotted(caption)}; blank: no demand",
                                                               60).split("<br>"))
    n_lines = title.count("<br>") + below.count("<br>") + 2
    labels = 5 * min(max(len(str(m)) for m in markets), LABEL_CHARS)  # the markets' names under it
    height = max(360, 200 + 22 * (n_lines + len(rows)) + labels)
    fig.update_layout(  # the title from the top down, in a margin of its lines
        title={"text": f"{title}<br>{below}", "yref": "container", "y": 1 - 20 / height, "yanchor": "top"},
        height=height, margin={"t": 30 + 22 * n_lines}, plot_bgcolor="#eee")
    # every row and market labelled (plotly skips category labels when they seem crowded), each cut to
    # LABEL_CHARS characters (the axis would take the figure)
    fig.update_xaxes(title_text="market", tickangle=-60, tickmode="array", tickvals=xs,
                     ticktext=[plotted(m, LABEL_CHARS) for m in markets], automargin=True)
    fig.update_yaxes(title_text="failure", autorange="reversed", tickmode="array", tickvals=ys,
                     ticktext=[plotted(r, LABEL_CHARS) for r in rows], automargin=True)
    return fig


#: the served heatmap's colours, dark red (none) to pale yellow (all): lightness rises with the fraction
#: served, so colour-blind eyes and a greyscale print read it alike (red to blue printed 0% and 100% as
#: one dark grey: audit); its cells print their numbers up to this many
SERVED_SCALE, LABELLED_CELLS = "YlOrRd_r", 400


def lines(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, joined by plotly's ``<br>``.

    >>> lines("a share of each market's demand", 14)
    "a share of<br>each market's<br>demand"
    """
    import textwrap

    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def heatmap_width(fig: Any) -> int:
    """The least width (px) at which ``fig`` of :func:`served_heatmap` prints its cells' numbers,
    about 36 px a market beside its labels and colour bar: narrower, plotly shrank them to 2 px
    dashes (640 px, 23 markets: app audit); the page scrolls the figure sideways instead."""
    markets = len(fig.data[0].x) if fig.data and fig.data[0].x is not None else 0
    return 320 + 36 * markets


def stress_legend(stress: StressResult) -> str:
    """What the stress table's columns are, below it, with the penalties its costs use."""
    return ("Each failure on its own (a scenario's elements together), flows re-routed through what "
            f"is left: {stress.floor_name} = {stress.floor_words} (worst "
            "market and product: where that floor binds); shortfall cost = the quantity short × its "
            f"penalty ({penalty_prices(stress)}); impact = shortfall cost + the change in flow cost "
            "against the design's replay with nothing failed (money; less is shipped, so the flow cost "
            "may fall), less any shortfall cost with nothing failed. "
            + " ".join([*replay_sentence(stress), SHARING_WORDS[stress.priced]]))


#: how a replay shares a shortage between markets (by :attr:`StressResult.priced`): the heatmap's
#: equal shares under a failure read as a forecast of which markets lose supply (app audit)
SHARING_WORDS = {
    False: "Holding that floor for every market and product at once, the re-routing spreads a shortage "
           "over the markets as far as the network allows: the heatmap shows that sharing, not which "
           "markets a disruption would cut first.",
    True: "At the penalties given the cheapest re-routing decides where the shortage falls (spread as "
          "evenly as those prices allow): the heatmap shows that, not which markets a disruption would "
          "cut first."}


def shown_period(session: Session, results: Mapping[str, StressResult]) -> tuple[str, str]:
    """The period whose stress test a roadmap's page shows (the session's, else the first tested),
    and what says which periods were not tested ("" when none): a period without demand is left
    out by :func:`~resilient_sc.analysis.roadmap.roadmap_stress`."""
    words = not_stress_tested(session.period_ids(), results)
    return (session.period if session.period in results else next(iter(results))), words


def worst_failures(stress: StressResult, n: int = 10) -> pd.DataFrame:
    """The ``n`` failures that leave the least demand served (then the largest impact), of those
    that leave more demand short than nothing failed or cost more (:meth:`StressResult.affected`)."""
    return stress.worst_table(n, affected_only=True)
