"""The columnar index tables (resilient_sc.model.table) and the DataFrames built from them."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from resilient_sc import DataWarning, Network, Policy, examples, solve
from resilient_sc.model.table import Table

SETS_TABLES = ("suppliers", "hubs", "markets", "demand", "supply", "inbound", "outbound", "flows",
               "origins", "products", "countries", "removed_suppliers", "removed_hubs", "disruptions")


def _table() -> Table:
    names = np.array(["H1", "H2", "H3"], dtype=object)
    return Table({"hub": (names, np.array([2, 0, 0, 1])), "cost": np.array([1.0, 2.0, 3.0, 4.0]),
                  "_pos": np.arange(4)})


def test_table_columns_rows_and_frame():
    t = _table()
    assert len(t) == 4
    assert t["hub"].tolist() == ["H3", "H1", "H1", "H2"]
    assert list(t.select(["cost"]).columns) == ["cost"]
    rows = np.array([3, 1])
    assert t.take(rows)["hub"].tolist() == ["H2", "H1"]
    pd.testing.assert_frame_equal(t.frame(rows), t.frame().iloc[rows].reset_index(drop=True))
    assert t.frame() is t.frame()  # built once


def test_table_arrays_are_read_only_and_frames_writable():
    t = _table()
    with pytest.raises(ValueError):
        t["cost"][0] = 9.0
    df = t.frame()
    df.loc[0, "cost"] = 9.0
    df.loc[0, "hub"] = "H9"
    assert t["cost"][0] == 1.0 and t["hub"][0] == "H3"


def test_sets_frames_match_their_tables():
    s = solve(examples.tiny()).model.sets
    for name in SETS_TABLES:
        table, df = getattr(s, f"{name}_table"), getattr(s, name)
        assert list(df.columns) == list(table.columns) and len(df) == len(table)
        for column in df.columns:
            pd.testing.assert_series_equal(df[column], pd.Series(table[column], name=column,
                                                                  dtype=df[column].dtype))


def test_plan_tables_can_be_edited_without_touching_the_model():
    plan = solve(examples.tiny())
    s = plan.model.sets
    lane_cost = s.flows_table["lane_cost"].copy()
    costs = plan.model.lm.objective()
    for df in plan.tables().values():
        df.iloc[0, 0] = df.iloc[0, 0]  # raises if a table is a view of a read-only array
    plan.outbound.loc[0, "quantity"] = -1.0
    s.flows.loc[0, "lane_cost"] = 1e9
    np.testing.assert_array_equal(s.flows_table["lane_cost"], lane_cost)
    np.testing.assert_array_equal(plan.model.lm.objective(), costs)  # the model prices as built


def test_a_plan_that_leaves_demand_short_says_how_much_of_each_product():
    """At 60 a unit short, leaving chips and displays short costs less than serving them: the
    summary, ``delivery`` and ``to_dict`` give the units delivered and short per product (never
    summed across products), read independently here from the outbound flows."""
    from resilient_sc import Policy

    net = examples.electronics()
    plan = solve(net, Policy(shortfall_penalty=60.0))
    demand = net.demand.groupby("product")["demand"].sum()
    delivered = plan.outbound.groupby("product")["quantity"].sum().reindex(demand.index, fill_value=0.0)
    d = plan.delivery().set_index("product").reindex(demand.index)
    assert d["demand"].tolist() == pytest.approx(demand.tolist())
    assert d["delivered"].tolist() == pytest.approx(delivered.tolist())
    assert (d["shortfall"] > 0).all()
    line = next(x for x in plan.summary().splitlines() if x.startswith("delivered"))
    assert all(f"{p} {delivered[p]:,.0f} of {demand[p]:,.0f} pieces ({demand[p] - delivered[p]:,.0f} short)"
               in line for p in demand.index)  # whole numbers here, written as such
    short_cells = demand["cells"] - delivered["cells"]
    assert plan.to_dict()["delivered"]["cells"]["shortfall"] == pytest.approx(short_cells)
    full = solve(net)
    assert not any(x.startswith("delivered") for x in full.summary().splitlines())
    assert {v["shortfall"] for v in full.to_dict()["delivered"].values()} == {0.0}


def test_a_shortfall_under_one_unit_is_never_written_as_nothing_short():
    """The tiny network in tonnes: Paris needs 60.01, S_FR and S_CN make 59.6 together, and a
    shortfall costs 10,000 a tonne: 0.41 t stay short. The summary, the app's table and the
    map's title said "60 of 60 units (0 short)" (rounded to whole units)."""
    from resilient_sc import Policy
    from resilient_sc.analysis.maps import network_map
    from resilient_sc.app.plan_view import short_rows

    f = examples.tiny().frames()
    f["demand"]["demand"] = 60.01
    f["supplier_products"]["capacity"] = [29.8, 29.8]
    for table in ("suppliers", "hubs", "markets"):  # somewhere in France, for the map
        f[table] = f[table].assign(lat=[45.0 + i for i in range(len(f[table]))], lon=2.0)
    with pytest.warns(DataWarning, match="short by 0.41 units"):
        net = Network.from_frames(**f)
    plan = solve(net, Policy(shortfall_penalty=10_000.0))
    assert plan.delivery()["shortfall"].tolist() == pytest.approx([0.41])
    line = next(x for x in plan.summary().splitlines() if x.startswith("delivered"))
    assert line.endswith("default 59.6 of 60.01 units (0.41 short)")
    assert short_rows(plan) == [{"product": "default", "demand": "60.01", "delivered": "59.6",
                                 "short": "0.41", "unit": "units"}]
    fig = network_map(net, plan, resolution="c")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "default: 59.6 units of default delivered of the 60.01 demanded" in titles


def test_a_product_without_a_unit_value_is_never_left_out_of_the_shares():
    """With one product's unit_value at 0 (the default) a value weighting would drop it: the
    overall shares then weigh each product equally (its markets by demand), and say so."""
    net = examples.electronics()
    with pytest.warns(DataWarning, match="product 'cells' has no unit_value"):  # its tariffs cost nothing
        net = net.replace(products=net.products.assign(
            unit_value=np.where(net.products["product"] == "chips", net.products["unit_value"], 0.0)))
    plan = solve(net)
    assert plan.share_weighting() == "products weighted equally"
    s = plan.shares
    per_product = s.assign(w=s["local_share"] * s["demand"]).groupby("product")[["w", "demand"]].sum()
    equally = (per_product["w"] / per_product["demand"]).mean()
    assert plan.overall_share("local_share") == pytest.approx(equally)
    assert "(of demand, products weighted equally)" in plan.summary()


def test_the_saved_supplier_and_hub_tables_give_units_per_product(tmp_path):
    """suppliers_contracted.csv and hubs_opened.csv as the workbook's sheets: a volume and a
    throughput column per product, read back and checked against the inbound flows."""
    plan = solve(examples.electronics())
    folder = plan.save(tmp_path / "plan")
    suppliers = pd.read_csv(folder / "suppliers_contracted.csv").set_index("supplier")
    assert "volume" not in suppliers
    bought = plan.inbound.groupby(["supplier", "product"])["quantity"].sum()
    for (supplier, product), q in bought.items():
        assert suppliers.loc[supplier, f"volume (pieces of {product})"] == pytest.approx(q)
    hubs = pd.read_csv(folder / "hubs_opened.csv").set_index("hub")
    through = plan.inbound.groupby(["hub", "product"])["quantity"].sum()
    for (hub, product), q in through.items():
        assert hubs.loc[hub, f"throughput (pieces of {product})"] == pytest.approx(q)


def test_output_csvs_carry_no_floating_point_noise(tmp_path):
    """An output CSV says 890 where the solver left 889.9999999999949 and keeps 12 significant
    digits of a true fraction; a data table written to be read back keeps every digit."""
    from resilient_sc import io

    df = pd.DataFrame({"quantity": [889.9999999999949, 625.3820598006644, 0.0, 1.23456789012345e12],
                       "n": [1, 2, 3, 4]})
    io.write_csv(tmp_path / "out.csv", df)  # a trillion is written out, never 1.23456789012e+12
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "890,1", "625.382059801,2", "0,3", "1234567890120,4"]
    io.write_csv(tmp_path / "data.csv", df, escape=False)
    assert pd.read_csv(tmp_path / "data.csv")["quantity"].tolist() == df["quantity"].tolist()


@pytest.mark.parametrize("kind", ["plan", "roadmap"])
def test_two_solves_of_the_same_inputs_save_the_same_files_but_timings(tmp_path, kind):
    """Same network and policy twice: every saved file byte for byte the same, the seconds of
    each step (``*_time`` at any depth of plan.json or roadmap.json) in timings.csv only (a
    roadmap's note said the seconds of its MIP start)."""
    from resilient_sc import solve_roadmap

    if kind == "plan":
        runs = [solve(examples.electronics(), Policy(min_local_share=0.5)) for _ in range(2)]
    else:
        net = examples.electronics_roadmap()
        runs = [solve_roadmap(net) for _ in range(2)]
    folders = [run.save(tmp_path / name) for run, name in zip(runs, ("a", "b"), strict=True)]
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == sorted(p.name for p in folders[1].iterdir()) and "timings.csv" in names
    for name in names:
        if name != "timings.csv":
            assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
    assert "_time" not in (folders[0] / f"{kind}.json").read_text(encoding="utf-8")
    timings = pd.read_csv(folders[0] / "timings.csv")
    assert list(timings.columns) == ["step", "seconds"]
    assert {"solve_time", "build_time", "report.solve_time"} <= set(timings["step"])
    assert (timings["seconds"] >= 0).all()
    assert (kind == "roadmap") == ("report.start_time" in set(timings.loc[timings["seconds"] > 0, "step"]))


def _small_chips(k: float = 1e-6) -> Network:
    """The example with chips' demands and capacities times ``k`` (demands of 1e-3 units beside
    cells' thousands): a product counted in tonnes beside one in pieces."""
    net = examples.electronics()
    chips = lambda df: np.where(df["product"] == "chips", k, 1.0)  # noqa: E731
    return net.replace(demand=net.demand.assign(demand=net.demand["demand"] * chips(net.demand)),
                       supplier_products=net.supplier_products.assign(
                           capacity=net.supplier_products["capacity"] * chips(net.supplier_products)))


def test_a_flow_of_a_small_demand_is_kept_in_the_tables():
    """Tokyo's chips (demand 0.00242) under a cap of 99.96% on one foreign country: 0.04% of it,
    9.68e-7 units, comes from a second country. The tables keep that flow (a floor of 1e-6 units
    dropped it: the country shares added to 99.96% and the allied share read 0), so each row's
    flows add up to what it delivers."""
    plan = solve(_small_chips(), Policy(max_country_share=0.9996))
    tokyo = plan.country_shares.query("market == 'Tokyo' and product == 'chips'")
    assert tokyo["share"].sum() == pytest.approx(1.0, abs=1e-9) and len(tokyo) == 2
    assert tokyo["quantity"].min() == pytest.approx(0.0004 * 0.00242, rel=1e-6)
    flows = plan.outbound.groupby(["market", "product"])["quantity"].sum()
    delivered = plan.shares.set_index(["market", "product"])["delivered"]
    assert (flows.reindex(delivered.index, fill_value=0.0) - delivered).abs().max() <= 1e-9


def test_verify_plan_checks_each_product_in_its_own_units():
    """A violation of 0.66 units of chips (demands of 1e-3) beside cells' demands of thousands is
    found: the tolerance of each row is of its own product's demands (it was of the largest
    demand of any product, 0.07 units here, 1.4 units with cells' demands at 1e6)."""
    from resilient_sc.verify import verify_plan

    net = _small_chips()
    plan = solve(net, Policy(min_local_share=0.5))
    assert verify_plan(plan) == []
    inbound = plan.inbound.copy()
    row = inbound.index[inbound["product"] == "chips"][0]
    supplier = inbound.loc[row, "supplier"]
    cap = net.supplier_products.set_index(["supplier", "product"])["capacity"][(supplier, "chips")]
    inbound.loc[row, "quantity"] += 50 * cap
    found = verify_plan(dataclasses.replace(plan, inbound=inbound))
    assert any(f.startswith(f"supplier_capacity[('{supplier}', 'chips')]") for f in found)
    berlin = (plan.outbound["market"] == "Berlin") & (plan.outbound["product"] == "chips")
    shares = plan.shares.copy()
    shares.loc[(shares["market"] == "Berlin") & (shares["product"] == "chips"), "local_share"] = 0.0
    found = verify_plan(dataclasses.replace(plan, outbound=plan.outbound.assign(
        origin=plan.outbound["origin"].where(~berlin, "CN")), shares=shares))
    assert any(f.startswith("min_local_share[Berlin,chips]") for f in found)
    assert any(f.startswith("origin_balance[") and "'chips'" in f for f in found)


def test_the_workbook_shows_small_quantities_with_their_digits(tmp_path):
    """Chips' demands of 0.0018 t beside cells' thousands: the workbook's quantity columns carry
    enough decimals for two significant digits of the smallest (#,##0.00 showed 0.00)."""
    from openpyxl import load_workbook

    from resilient_sc.workbook import write_workbook

    plan = solve(_small_chips())
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", plan))
    sheet = book["market_shares"]
    header = [c.value for c in sheet[1]]
    demand = header.index("demand") + 1
    cell = next(sheet.cell(r, demand) for r in range(2, sheet.max_row + 1) if sheet.cell(r, demand).value < 1)
    shown = f"{cell.value:.{len(cell.number_format.split('.')[-1])}f}"
    assert cell.number_format.startswith("#,##0.000") and float(shown) == pytest.approx(cell.value, rel=0.05)


def test_a_saved_plan_or_roadmap_says_what_each_file_holds(tmp_path):
    """A planner opening country_shares.csv read 'share' (of what?); each folder's README.md
    names every file written, with its units (shares: of the demand, not of what is delivered)."""
    from resilient_sc import solve_roadmap

    plan_dir = solve(examples.tiny()).save(tmp_path / "plan")
    roadmap_dir = solve_roadmap(examples.electronics_roadmap()).save(tmp_path / "roadmap")
    for folder in (plan_dir, roadmap_dir):
        text = (folder / "README.md").read_text(encoding="utf-8")
        listed = set(re.findall(r"^- `([^`]+)`:", text, flags=re.M))
        assert listed == {p.name for p in folder.iterdir()} - {"README.md"}, folder
        assert "`share`, a fraction of the market's demand of the product" in text


def test_a_network_written_as_csv_reads_back_exactly_and_whole_numbers_as_written(tmp_path):
    """io.write_network: every number reads back as the same float (a third, a tenth), and a
    whole one is written without '.0' (4460.0 made a diff against the data flag every row;
    workbook audit)."""
    from resilient_sc import read_network
    from resilient_sc.io import write_network

    net = examples.electronics()
    odd = net.demand.assign(demand=net.demand["demand"] + np.where(net.demand.index % 2, 1 / 3, 0.1))
    write_network(net.replace(demand=odd).frames(), tmp_path / "net")
    again = read_network(tmp_path / "net")
    assert again.demand["demand"].tolist() == odd["demand"].tolist()
    assert (tmp_path / "net" / "suppliers.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "S_CN_Ningde,CN,15000,candidate,26.66,119.55,0,0,0")
