"""The plan workbook (``Plan.to_excel``, ``resilient_sc.workbook``): totals that match the plan,
formats per quantity, analyses as extra sheets, and never a sum of different products."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from resilient_sc import Network, Policy, ValidationError, examples, frontier, premium, solve, stress_test
from resilient_sc.output_words import hub_totals
from resilient_sc.workbook import write_workbook


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


@pytest.fixture(scope="module")
def electronics_plan(electronics):
    return electronics, solve(electronics, Policy(min_local_share=0.5, min_suppliers=2))


def test_plan_workbook_totals_match_the_plan(tmp_path: Path, electronics_plan) -> None:
    net, plan = electronics_plan
    path = write_workbook(tmp_path / "plan.xlsx", plan)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["README", "summary", "cost_breakdown", "suppliers_contracted", "hubs_opened",
                            "inbound_flows", "outbound_flows", "market_shares", "country_shares",
                            "supplier_shares", "timings"]
    said = sheets["README"].fillna("").set_index("sheet")["what it holds"]  # every sheet, in units
    assert list(said.index) == ["", "", "", "", *list(sheets)[1:]] and said.drop("").str.len().gt(40).all()
    assert said.iloc[0].startswith("Written by resilient_sc ")  # which version wrote it (upgrade audit)
    assert "Each product's unit: cells: pieces, chips: pieces, displays: pieces." in said[""].tolist()
    assert "(money)" in said["cost_breakdown"] and "(units of that product)" in said["suppliers_contracted"]
    summary = sheets["summary"].set_index("item")["value"]
    assert summary["status"] == "optimal"
    assert float(summary["total cost"]) == pytest.approx(plan.objective)
    costs = [float(v) for k, v in summary.items() if str(k).startswith("cost: ")]
    assert sum(costs) == pytest.approx(plan.objective)
    assert float(summary["policy: min_local_share"]) == 0.5
    assert sheets["cost_breakdown"]["cost"].sum() == pytest.approx(plan.objective)
    assert sheets["cost_breakdown"]["share_of_total"].sum() == pytest.approx(1.0)
    demand = net.demand.groupby("product")["demand"].sum()  # per product, each in its own unit
    for name, column in [("outbound_flows", "quantity"), ("inbound_flows", "quantity"),
                         ("market_shares", "delivered")]:
        per = sheets[name].groupby("product")[column].sum()
        assert per.to_dict() == pytest.approx(demand.to_dict())
    volumes = sheets["suppliers_contracted"].filter(like="volume (pieces of ")
    assert sorted(volumes.columns) == sorted(f"volume (pieces of {p})" for p in demand.index)
    assert volumes.sum().rename(lambda c: c[len("volume (pieces of "):-1]).to_dict() == pytest.approx(
        demand.to_dict())
    for p, d in demand.items():
        assert float(summary[f"demand (pieces of {p})"]) == pytest.approx(d)
        assert float(summary[f"delivered (pieces of {p})"]) == pytest.approx(d)
        assert 0.5 - 1e-9 <= float(summary[f"local share ({p})"]) <= 1  # a fraction, not 71.33
    assert (sheets["market_shares"]["local_share"] >= 0.5 - 1e-9).all()
    assert sorted(sheets["suppliers_contracted"]["supplier"]) == sorted(plan.supplier_ids)
    assert sorted(sheets["hubs_opened"]["hub"]) == sorted(plan.hub_ids)
    assert not any(str(c).startswith("Unnamed") for df in sheets.values() for c in df.columns)


def test_plan_workbook_is_formatted(tmp_path: Path, electronics_plan) -> None:
    _, plan = electronics_plan
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", plan))
    for ws in book:
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1])

    def fmt(sheet: str, column: str) -> str:
        ws = book[sheet]
        col = [c.value for c in ws[1]].index(column) + 1
        return ws.cell(2, col).number_format

    assert fmt("market_shares", "local_share") == "0.0%"
    assert fmt("hubs_opened", "utilisation") == "0.0%"
    assert fmt("cost_breakdown", "cost") == "#,##0.00"
    assert fmt("outbound_flows", "quantity") in ('#,##0 "pieces"', '#,##0.00 "pieces"')
    summary = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
    assert summary["total cost"].number_format == "#,##0.00"
    shares = [k for k in summary if "share" in k]
    assert "local share (cells)" in shares and "policy: min_local_share" in shares
    for item in shares:  # fractions shown as percentages, like the other sheets
        assert summary[item].number_format == "0.0%", item
        assert 0 <= summary[item].value <= 1, item
    assert summary["gap"].number_format == "0.0000%"  # as the texts write it, whatever its size
    assert not any("(%)" in k for k in summary)
    quantities = [k for k in summary if "(pieces of " in k]
    assert len(quantities) == 3 * 3  # demand, delivered, shortfall of 3 products
    assert all(summary[k].number_format in ("#,##0", "#,##0.00") for k in quantities)
    assert fmt("suppliers_contracted", "volume (pieces of chips)") in ("#,##0", "#,##0.00")
    assert fmt("hubs_opened", hub_totals({"cells": "pieces"})["throughput"]) in ("#,##0", "#,##0.00")


def test_write_workbook_with_analyses(tmp_path: Path) -> None:
    net = examples.tiny()
    plan = solve(net)
    table = premium(net, {"two": Policy(min_suppliers=2)}, workers=1)
    sweep = frontier(net, "min_local_share", [0.0, 0.5], failures=())
    path = write_workbook(tmp_path / "all.xlsx", plan, premium_table=table,
                          stress=stress_test(net, plan), frontier=sweep)
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"summary", "premium", "stress_failures", "stress_products", "stress_shortfalls",
            "frontier"} <= set(sheets)
    # per product as the report's stress_products.csv (the workbook had no such sheet)
    assert sheets["stress_products"].columns.tolist() == ["failure", "product", "demand", "shortfall", "unit",
                                                          "served", "shortfall_cost"]
    said = sheets["README"].dropna().set_index("sheet")["what it holds"]
    assert "premium_pct and network_premium_pct (% of the base's cost)" in said["premium"]
    assert set(said.index) == set(sheets) - {"README"} and said.str.len().gt(40).all()
    assert sheets["premium"]["cost"].tolist() == pytest.approx([1260.0, 1760.0])
    failures = sheets["stress_failures"]
    assert failures["worst_served"].is_monotonic_increasing
    assert {f"served {p}" for p in net.products["product"]} <= set(failures.columns)
    only = write_workbook(tmp_path / "premium.xlsx", premium_table=table)
    assert list(pd.read_excel(only, sheet_name=None)) == ["README", "premium", "timings"]
    # workbook audit: a wide sheet's policy column scrolled away; a 220-character list of suppliers
    # was cut at its column's edge
    book = openpyxl.load_workbook(path)
    assert (book["premium"].freeze_panes, book["summary"].freeze_panes) == ("B2", "A2")
    long = pd.DataFrame({"policy": ["a"], "suppliers": [" ".join(["S_CN_Shenzhen"] * 16)]})
    cell = openpyxl.load_workbook(write_workbook(tmp_path / "long.xlsx", premium_table=long))["premium"]["B2"]
    assert cell.alignment.wrap_text and cell.parent.column_dimensions["B"].width == 60
    with pytest.raises(ValueError, match="nothing to write"):
        write_workbook(tmp_path / "nothing.xlsx")


HUB_THROUGHPUT, HUB_CAPACITY = hub_totals({"pump": "units", "kit": "units"}).values()


def pumps_and_kits() -> Network:
    """30 pumps and 700 kits for Paris: S_CN makes both, S_FR only pumps (local, dearer); the
    hub at Lyon handles both. With half the pumps local: S_CN 15 pumps + 700 kits, S_FR 15 pumps."""
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["FR", "CN"], "region": ["Europe", "Asia"]}),
        products=pd.DataFrame({"product": ["pump", "kit"], "unit_value": [100.0, 10.0]}),
        suppliers=pd.DataFrame({"supplier": ["S_CN", "S_FR"], "country": ["CN", "FR"],
                                "fixed_cost": [1000.0, 1500.0]}),
        supplier_products=pd.DataFrame({"supplier": ["S_CN", "S_CN", "S_FR"],
                                        "product": ["pump", "kit", "pump"],
                                        "capacity": [1000.0, 5000.0, 20.0],
                                        "unit_cost": [50.0, 3.0, 60.0]}),
        hubs=pd.DataFrame({"hub": ["H_Lyon"], "country": ["FR"], "fixed_cost": [2000.0],
                           "capacity": [10000.0]}),
        markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        demand=pd.DataFrame({"market": ["Paris", "Paris"], "product": ["pump", "kit"],
                             "demand": [30.0, 700.0]}),
        lanes=pd.DataFrame({"origin": ["S_CN", "S_FR", "H_Lyon"],
                            "destination": ["H_Lyon", "H_Lyon", "Paris"],
                            "unit_cost": [1.5, 0.5, 0.25]}))


def test_plan_workbook_never_adds_pumps_and_kits(tmp_path: Path) -> None:
    plan = solve(pumps_and_kits(), Policy(min_local_share={"pump": 0.5}))
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", plan))
    sums = {730.0: "all units delivered", 715.0: "S_CN's pumps + kits"}
    hub_totals = []
    for ws in book:
        head = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float) and float(cell.value) in sums:
                    assert head[cell.column - 1] == HUB_THROUGHPUT, (ws.title, cell.coordinate)
                    hub_totals.append(cell.value)
    assert hub_totals == [730]  # the one legitimate sum: throughput against hub capacity

    def table(name: str) -> pd.DataFrame:
        return pd.read_excel(tmp_path / "plan.xlsx", sheet_name=name)

    suppliers = table("suppliers_contracted").set_index("supplier")
    assert suppliers.loc["S_CN", "volume (units of pump)"] == pytest.approx(15)
    assert suppliers.loc["S_CN", "volume (units of kit)"] == pytest.approx(700)
    assert suppliers.loc["S_FR", ["volume (units of pump)", "volume (units of kit)"]].tolist() == [15, 0]
    assert "volume" not in suppliers
    hub = table("hubs_opened").iloc[0]
    assert (hub["throughput (units of pump)"], hub["throughput (units of kit)"]) == (30, 700)
    assert (hub[HUB_CAPACITY], hub["utilisation"]) == (10000, pytest.approx(0.073))
    summary = table("summary").set_index("item")["value"]
    assert float(summary["demand (units of pump)"]) == 30
    assert float(summary["delivered (units of kit)"]) == 700
    assert float(summary["local share (pump)"]) == pytest.approx(0.5)
    assert float(summary["local share (kit)"]) == 0
    assert not any(str(k).startswith(("demand (units)", "local share (%)")) for k in summary.index)
    cells = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
    assert cells["local share (pump)"].number_format == "0.0%"
    assert cells["demand (units of kit)"].number_format == "#,##0"
    for name, column in [("suppliers_contracted", "volume (units of kit)"),
                         ("hubs_opened", "throughput (units of pump)")]:
        ws = book[name]
        assert ws.cell(2, _columns(ws)[column]).number_format == "#,##0"
    ws = book["hubs_opened"]
    assert ws.cell(1, _columns(ws)[HUB_THROUGHPUT]).alignment.wrap_text  # not cut off at 60



def test_a_long_tables_quantities_show_each_rows_unit(tmp_path: Path) -> None:
    """inbound_flows' one quantity column held pumps and kilograms of kits: each row's number
    shows its own unit, so that a SUM over products is seen to add pieces and kg (output audit)."""
    f = pumps_and_kits().frames()
    f["products"] = f["products"].assign(unit=["pieces", "kg"])
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", solve(Network.from_frames(**f))))
    for sheet, column in (("inbound_flows", "quantity"), ("market_shares", "demand")):
        ws = book[sheet]
        head = [c.value for c in ws[1]]
        shown = {row[head.index("product")].value: row[head.index(column)].number_format
                 for row in ws.iter_rows(min_row=2)}
        assert shown == {"pump": '#,##0 "pieces"', "kit": '#,##0 "kg"'}, sheet


def test_the_summary_counts_delivery_as_the_plan_does():
    """A shortfall of 1e-12 units is LP noise: the summary sheet says 0 short and all delivered,
    as ``Plan.delivery`` and the plan's own summary do (it showed 1.36e-12)."""
    import dataclasses

    from resilient_sc.workbook import summary_table

    plan = solve(examples.tiny())
    s = plan.shares
    noisy = dataclasses.replace(plan, shares=s.assign(shortfall=1e-12, delivered=s["demand"] - 1e-12))
    rows = summary_table(noisy).set_index("item")["value"]
    unit = "units of default"
    assert rows[f"shortfall ({unit})"] == 0.0 and rows[f"delivered ({unit})"] == rows[f"demand ({unit})"]


def test_fractions_never_read_as_all_or_nothing_in_excel(tmp_path: Path) -> None:
    """Excel rounds a format to nearest: with ``0.0%`` a floor of 99.96% served would read 100.0%
    and 0.004% would read 0.0%, where every text of the library says 99.9% and <0.1%. The
    workbook gives such columns the decimals that keep them apart (and 0.0% otherwise)."""
    failures = pd.DataFrame({"failure": ["a", "b", "c"], "worst_served": [0.9996, 0.5, 1.0],
                             "value_served": [0.00004, 0.25, 1 - 1e-9], "impact": [1.0, 2.0, 0.0]})
    book = openpyxl.load_workbook(write_workbook(tmp_path / "s.xlsx", stress=failures))
    ws = book["stress_failures"]
    head = [c.value for c in ws[1]]
    for column in ("worst_served", "value_served"):
        cells = [row[head.index(column)] for row in ws.iter_rows(min_row=2)]
        digits = len(cells[0].number_format.split(".")[1]) - 1
        for c in cells:
            shown = round(c.value * 100, digits)
            assert (shown in (0, 100)) == (c.value < 1e-7 or c.value > 1 - 1e-7), (column, c.value, shown)
    assert ws.cell(2, head.index("worst_served") + 1).number_format == "0.00%"
    assert ws.cell(2, head.index("value_served") + 1).number_format == "0.000%"
    plain = openpyxl.load_workbook(write_workbook(tmp_path / "p.xlsx", stress=failures.iloc[[1]]))
    assert plain["stress_failures"].cell(2, 2).number_format == "0.0%"


def test_a_guarantee_never_reads_higher_in_excel_than_in_the_report(tmp_path: Path) -> None:
    """The report says "at least 90.1%" of a worst-served 0.901539 (rounded down); ``0.0%`` would
    show 90.2% (Excel rounds to nearest): served columns get the decimals that never round them up
    (90.15%), every one, as every text rounds them down (expected_value_served 0.91662 read 91.7%
    beside the text's 91.6%: audit); other fractions keep one."""
    failures = pd.DataFrame({"failure": ["a", "b"], "worst_served": [0.901539, 0.5],
                             "value_served": [0.901539, 0.5], "local_share": [0.901539, 0.5],
                             "impact": [1.0, 2.0]})
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "s.xlsx", stress=failures))["stress_failures"]
    head = [c.value for c in ws[1]]
    assert ws.cell(2, head.index("worst_served") + 1).number_format == "0.00%"
    assert ws.cell(2, head.index("value_served") + 1).number_format == "0.00%"
    assert ws.cell(2, head.index("local_share") + 1).number_format == "0.0%"


def test_an_unlimited_capacity_reads_in_words(tmp_path: Path) -> None:
    """The tiny network's hub has no capacity (unlimited): its workbook cell read 'inf'."""
    from resilient_sc import examples

    path = write_workbook(tmp_path / "plan.xlsx", solve(examples.tiny()))
    hub = pd.read_excel(path, sheet_name="hubs_opened").iloc[0]
    assert hub["capacity, all products (units summed over products)"] == "unlimited"
    assert pd.isna(hub["utilisation"])


def test_a_network_written_as_a_workbook_reads_back_with_its_unlimited_capacity(tmp_path: Path) -> None:
    """write_excel writes an unlimited capacity as 'unlimited' (the app's data download): the
    reader refused the word ('is not a number'), so the workbook did not read back."""
    from resilient_sc import examples, read_network
    from resilient_sc.io import write_excel

    net = examples.tiny()
    assert net.hubs["capacity"].isin([float("inf")]).all()
    write_excel(tmp_path / "data.xlsx", net.frames())
    back = read_network(tmp_path / "data.xlsx")
    pd.testing.assert_frame_equal(back.hubs, net.hubs)
    assert solve(back).objective == pytest.approx(solve(net).objective)


def test_excel_limits_are_said_not_hit(tmp_path):
    """A text over Excel's 32,767 characters a cell was cut mid-word by openpyxl with a bare
    UserWarning; a sheet over its rows failed with pandas' own error. The text is cut at a comma,
    saying so, with a RunWarning naming sheet and column; too many rows are one clear error."""
    from resilient_sc import RunWarning, ValidationError
    from resilient_sc.io import write_excel

    ids = ", ".join(f"S_{i:05d}" for i in range(6000))  # 53,998 characters
    with pytest.warns(RunWarning, match=r"\(premium\) \| column suppliers: 1 text\(s\) over the 32,767"):
        write_excel(tmp_path / "long.xlsx", {"premium": pd.DataFrame({"suppliers": ["S_1", ids]})})
    cell = openpyxl.load_workbook(tmp_path / "long.xlsx")["premium"]["A3"].value
    kept = cell[:cell.index(" … (cut")]
    assert len(cell) <= 32_767 and ids.startswith(kept)
    assert cell.endswith(f"… (cut: {len(ids) - len(kept):,} more characters)")
    with pytest.raises(ValidationError, match=r"\(flows\) \| 1,048,576 rows: over the 1,048,575 a worksheet"):
        write_excel(tmp_path / "big.xlsx", {"flows": pd.DataFrame({"quantity": [0.0] * 1_048_576})})
    assert not (tmp_path / "big.xlsx").exists()


def test_a_shortfall_penalty_is_money_not_a_percentage(tmp_path: Path) -> None:
    """shortfall_penalty 500 (money per unit short) read '50000.0%' in the summary: the policy's
    fractions were taken by their type, which the penalty shares (workbook audit)."""
    plan = solve(examples.tiny(), Policy(shortfall_penalty=500.0, min_local_share=0.25))
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "p.xlsx", plan=plan))["summary"]
    formats = {row[0].value: row[1].number_format for row in ws.iter_rows() if row[0].value}
    assert "%" not in formats["policy: shortfall_penalty"]
    assert formats["policy: min_local_share"].endswith("%")


def test_a_frontier_of_service_level_shows_its_values_as_percentages(tmp_path: Path) -> None:
    """A frontier sheet showed service_level 0.50, 0.80 where the summary shows the policy's
    service_level as 50.0%: the column's name held none of the words of a fraction."""
    from resilient_sc.sheet_format import _number_format

    assert _number_format("service_level", pd.Series([0.5, 0.8])).endswith("%")
    assert "%" not in _number_format("shortfall_penalty", pd.Series([500.0]))


def test_a_frontier_over_mappings_writes_them_as_json(tmp_path: Path) -> None:
    """A frontier swept over mappings wrote Python's repr ({'Europe': 0.5}) in frontier.csv and its
    sheet, where the summary sheet writes a policy's mappings as JSON: JSON in each."""
    from resilient_sc.analysis.frontier_report import write_frontier_report

    df = frontier(examples.electronics(), "min_local_share", [{"Europe": 0.3}, {"Europe": 0.5}],
                  failures=(), workers=1)
    write_frontier_report(tmp_path / "f", df, "min_local_share", figures=False)
    written = pd.read_csv(tmp_path / "f" / "frontier.csv")["min_local_share"].tolist()
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "f.xlsx", frontier=df))["frontier"]
    assert written == [c.value for c in ws["A"][1:]] == ['{"Europe": 0.3}', '{"Europe": 0.5}']
    assert df["min_local_share"].tolist() == [{"Europe": 0.3}, {"Europe": 0.5}]  # the table's own: as given


def test_two_runs_write_the_same_workbook_but_for_its_seconds(tmp_path: Path) -> None:
    """The seconds (the summary's build and solve time, the premium table's and the frontier's
    solve_time and time) go to a last sheet, ``timings``, as a result folder keeps them in
    timings.csv: the other sheets of two runs of the same inputs are the same (they differed)."""
    net = examples.tiny()
    books = []
    for run in range(2):
        plan = solve(net, Policy(min_suppliers=2))
        table = premium(net, {"two": Policy(min_suppliers=2)}, workers=1)
        sweep = frontier(net, "min_local_share", [0.0, 0.5], failures=())
        path = write_workbook(tmp_path / f"run{run}.xlsx", plan, premium_table=table, frontier=sweep)
        books.append(pd.read_excel(path, sheet_name=None))
    first, second = books
    assert list(first) == list(second) and list(first)[-1] == "timings"
    for name in list(first)[:-1]:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert not first["summary"]["item"].str.contains("time").any()
    assert "solve_time" not in first["premium"] and "time" not in first["frontier"]
    timings = first["timings"]
    assert list(timings.columns) == ["sheet", "what", "seconds"]
    assert {"build time", "solve time", "policy base: solve_time",
            "policy two: solve_time"} <= set(timings["what"])
    assert (timings["seconds"] >= 0).all() and timings["sheet"].isin(["summary", "premium", "frontier"]).all()


def test_a_long_table_gives_each_product_its_own_decimals(tmp_path: Path) -> None:
    """700.5 kits beside 30 pumps: the pumps' rows of the flow tables stay whole (one column's
    format served every product, and a kit's decimals gave the pumps decimals)."""
    net = pumps_and_kits()
    f = net.frames()
    f["demand"]["demand"] = [30.0, 700.5]
    path = write_workbook(tmp_path / "plan.xlsx", solve(Network.from_frames(**f)))
    book = openpyxl.load_workbook(path)
    for sheet in ("inbound_flows", "outbound_flows"):
        ws = book[sheet]
        head = [c.value for c in ws[1]]
        product, quantity = head.index("product"), head.index("quantity")
        formats = {row[product].value: row[quantity].number_format for row in ws.iter_rows(min_row=2)}
        # each row's unit after its number: a planner's SUM over the column adds products (audit)
        assert formats == {"pump": '#,##0 "units"', "kit": '#,##0.00 "units"'}, sheet


def test_a_result_workbook_stores_no_float_noise(tmp_path: Path) -> None:
    """The solver's 0.4999999999999999 (a local share at a policy's 0.5) read 50.0% but failed a
    planner's ``>= 0.5``, and one volume of 4971.999999999999 gave its whole column two decimals
    (a float32 0.1 stored 0.100000001490116): results are stored to 12 significant digits, as the
    CSVs write them; data workbooks, which must read back as given, keep every digit."""
    from resilient_sc.io import write_excel

    table = pd.DataFrame({"policy": ["a", "b"], "local_share": [0.4999999999999999, 0.6],
                          "volume": [4971.999999999999, 4120.0], "value": [0.30000000000000004, "x"],
                          "narrow": pd.Series([0.1, 0.7], dtype="float32"),  # a float32 column, and
                          "mixed": pd.Series([np.float32(0.1), "x"], dtype=object)})  # one in a mixed column
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "r.xlsx", premium_table=table))["premium"]
    head = [c.value for c in ws[1]]
    names = ("local_share", "volume", "value", "narrow", "mixed")
    stored = [ws.cell(2, head.index(c) + 1).value for c in names]
    assert stored == [0.5, 4972, 0.3, 0.1, 0.1]  # float32's 0.1 read 0.100000001490116
    assert ws.cell(2, head.index("volume") + 1).number_format == "#,##0"
    write_excel(tmp_path / "d.xlsx", {"demand": table})
    assert openpyxl.load_workbook(tmp_path / "d.xlsx")["demand"].cell(2, 2).value == 0.4999999999999999


def test_the_readme_sheet_says_what_the_analyses_given_hold(tmp_path: Path) -> None:
    """The README's words of a stress test are those of the one given: at a policy's own
    penalties its worst_served is the least served, not a guarantee; a roadmap's are per period
    and failure; a frontier's worst_served is said where it has one; gaps read four decimals on
    every sheet (a premium's 4.4e-8 and 0.0017 read 0.0%)."""
    net = examples.tiny()
    plan = solve(net)

    def said(path: Path) -> pd.Series:
        return pd.read_excel(path, sheet_name="README").dropna().set_index("sheet")["what it holds"]

    priced = stress_test(net, plan, penalty=50.0)
    words = said(write_workbook(tmp_path / "p.xlsx", stress=priced))
    assert priced.floor_name == "least served" and "worst_served (least served)" in words["stress_failures"]
    guaranteed = said(write_workbook(tmp_path / "g.xlsx", stress=stress_test(net, plan)))
    assert "worst_served (guaranteed)" in guaranteed["stress_failures"]
    bare = said(write_workbook(tmp_path / "b.xlsx", stress=priced.failures))  # a table: which it is unknown
    assert "worst_served (guaranteed at the default penalties, least served at penalties given)" in bare[
        "stress_failures"]
    sweep = frontier(net, "min_local_share", [0.0, 0.5])
    assert "worst_served (fraction" in said(write_workbook(tmp_path / "f.xlsx", frontier=sweep))["frontier"]
    untested = frontier(net, "min_local_share", [0.0, 0.5], failures=())  # its worst_served blank
    assert "worst_served" not in said(write_workbook(tmp_path / "u.xlsx", frontier=untested))["frontier"]
    # tables of roadmap paths said so without the roadmap given (they promised intact_served and
    # worst_failure, columns they do not have: output audit)
    from resilient_sc.analysis import end_year_frontier, roadmap_premium

    swept = end_year_frontier(net, "min_local_share", [0.0, 0.5], workers=1)
    table = roadmap_premium(net, {"local": Policy(min_local_share=0.5)}, workers=1)
    paths = said(write_workbook(tmp_path / "e.xlsx", frontier=swept, premium_table=table))
    assert paths["frontier"].startswith("one row per target of the field in the last period")
    assert "cost <period>" in paths["frontier"] and "intact_served" not in paths["frontier"]
    assert paths["premium"].startswith("one row per policy path") and "worst_served" not in paths["premium"]
    with pytest.raises(ValidationError, match="roadmap's mapping of period to StressResult"):
        write_workbook(tmp_path / "m.xlsx", stress={"2026": priced.failures})  # a traceback before
    table = pd.DataFrame({"policy": ["a", "b"], "gap": [4.4e-8, 0.0017], "premium_pct": [0.0, 2.63]})
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx", premium_table=table))["premium"]
    assert [ws.cell(r, 2).number_format for r in (2, 3)] == ["0.0000%", "0.0000%"]
    # workbook audit: the gap column sized before its format showed '####'; a premium already in %
    # read a bare 2.63 beside shares shown as 37.9%
    assert ws.column_dimensions["B"].width >= 11 and ws.cell(3, 3).number_format == '0.00"%"'
    # the shortfall costs' prices, and that the defaults are no measured loss (only the report said)
    assert ("shortfall costs at the stress test's default prices (140.00 per unit of default; set so that "
            "every unit the design can deliver is delivered") in guaranteed["stress_failures"]
    assert "shortfall costs at the penalties given, 50.00 per unit of default" in words["stress_failures"]
    assert words["stress_shortfalls"].startswith("per failure, market and product left short (only those)")


def test_workbooks_read_in_threads_leave_no_blanket_ignore(tmp_path):
    """Two threads reading workbooks at once left the reader's 'ignore' in force for good (the
    catch_warnings of one restored the other's): a later solve's warnings were never seen.

    pandas enters catch_warnings itself, some 200-300 times a read (``pandas_dtype``, hashing),
    as unsafe across threads before Python 3.14: two threads may leave one of its narrow filters
    (a FutureWarning message, DeprecationWarning 'always') in force, out of this library's hands
    (seen once in CI on pandas 2.2.1); never a blanket 'ignore' of the reader's."""
    import threading
    import warnings

    from resilient_sc import examples, read_network
    from resilient_sc.io import write_excel

    book = tmp_path / "net.xlsx"
    write_excel(book, examples.tiny().frames())
    before = list(warnings.filters)

    def read() -> None:
        for _ in range(10):
            read_network(book)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    left = [f for f in warnings.filters if f not in before]
    # a blanket one: no message, every category, every module (the reader's is openpyxl's alone; it
    # was every warning, and pandas' catch_warnings in the other thread left it so, on pandas 2.2.1)
    blanket = [f for f in left if f[0] == "ignore" and f[1] is None and f[2] is Warning and f[3] is None]
    assert not blanket, left


def test_the_timings_sheet_keeps_the_outputs_twelve_digits():
    """0.07823541799729999 s in the timings sheet, where CSV and JSON give 12 significant digits
    (CLI audit)."""
    from resilient_sc.workbook import timings_apart

    timings = timings_apart({}, [("summary", "solve_time", 0.07823541799729999)])["timings"]
    assert timings["seconds"].tolist() == [0.0782354179973]


def test_the_library_silences_its_own_warnings_in_its_thread_only():
    """A refused table's warnings are unsaid (own_warnings_silenced) in the thread that reads it,
    by no process-wide filter: another thread's warnings are still said."""
    import threading
    import warnings

    from resilient_sc import DataWarning
    from resilient_sc.exceptions import own_warnings_silenced, warn

    heard: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with own_warnings_silenced():
            warn("(x) | unsaid", DataWarning)
            other = threading.Thread(target=warn, args=("(x) | said", DataWarning))
            other.start()
            other.join()
        heard = [str(w.message) for w in caught]
    assert heard == ["(x) | said"]


def test_a_workbook_says_what_its_disruption_cost_is(tmp_path: Path) -> None:
    """The plan folder's README said the breakdown's disruption counts each scenario's ordinary
    deliveries again; the workbook of the same plan showed 11% of the total as 'disruption' and
    said nothing (units audit)."""
    plan = solve(examples.electronics(), Policy(shortfall_penalty=500))
    assert plan.breakdown["disruption"] > 0
    book = openpyxl.load_workbook(write_workbook(tmp_path / "plan.xlsx", plan), read_only=True)
    said = dict(book["README"].iter_rows(values_only=True))["cost_breakdown"]
    assert plan.disruption_words() in said and "the network cost (design and flows) is" in said


def test_hub_totals_are_headed_in_the_unit_all_products_share(tmp_path: Path) -> None:
    """Pumps and kits both weighed in t: the hub's total of all products is in t, which its headers
    said in 'units'; of products in t and m3 it stays units summed (nothing else counts them)."""
    net = pumps_and_kits()
    for units, unit in ((["t", "t"], "t"), (["t", "m3"], "units")):
        plan = solve(net.replace(products=net.products.assign(unit=units)))
        hub = pd.read_excel(write_workbook(tmp_path / "plan.xlsx", plan), sheet_name="hubs_opened").iloc[0]
        assert hub[f"capacity, all products ({unit} summed over products)"] == 10000
        assert hub[f"throughput, all products ({unit}, summed as the hub capacity counts them)"] == 730


def test_every_result_says_which_version_wrote_it(tmp_path: Path) -> None:
    """Nothing said which version wrote a result, while its columns changed meaning (worst_served)
    and name between versions all called 0.1.0 (upgrade audit); docs/changelog.md lists them."""
    import json

    from resilient_sc import __version__

    folder = solve(examples.tiny()).save(tmp_path / "plan")
    record = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    assert record["written_by"] == f"resilient_sc {__version__}"
    assert f"Written by resilient_sc {__version__}." in (folder / "README.md").read_text(encoding="utf-8")
